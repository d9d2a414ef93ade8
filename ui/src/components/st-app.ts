// The application shell: login gate, top bar (search, tasks, theme, user menu), the side
// navigation with the resource tree, the routed view, and toasts.
import { LitElement, css, html, nothing } from 'lit';
import type { TemplateResult } from 'lit';
import { html as staticHtml, unsafeStatic } from 'lit/static-html.js';
import { session } from '../api/session.ts';
import type { Privilege } from '../api/permissions.ts';
import { icons } from '../lib/icons.ts';
import { dismiss, onToasts } from '../lib/notify.ts';
import type { Toast } from '../lib/notify.ts';
import { interceptLinks, matchRoute, navigate, onNavigate } from '../lib/router.ts';
import type { RouteMatch } from '../lib/router.ts';
import { baseStyles } from '../lib/styles.ts';
import { effectiveTheme, toggleTheme } from '../lib/theme.ts';
import { ROUTES } from '../routes.ts';
import './st-login.ts';
import './st-resource-tree.ts';
import './st-search.ts';
import './st-task-bar.ts';

interface NavEntry { href: string; label: string; icon: TemplateResult; need?: { path: string; privilege: Privilege } }

const NAV: NavEntry[] = [
  { href: '/', label: 'Dashboard', icon: icons.dashboard },
  { href: '/resources', label: 'Resources', icon: icons.list },
  { href: '/tasks', label: 'Tasks', icon: icons.tasks },
  { href: '/backups', label: 'Backups', icon: icons.backup },
];

const ADMIN_NAV: NavEntry[] = [
  { href: '/admin/remotes', label: 'Remotes', icon: icons.server, need: { path: '/remotes', privilege: 'audit' } },
  { href: '/admin/users', label: 'Users', icon: icons.users, need: { path: '/access', privilege: 'audit' } },
  { href: '/admin/acl', label: 'Permissions', icon: icons.shield, need: { path: '/access', privilege: 'audit' } },
  { href: '/admin/groups', label: 'Groups', icon: icons.server, need: { path: '/groups', privilege: 'audit' } },
  { href: '/admin/views', label: 'Views', icon: icons.list, need: { path: '/views', privilege: 'audit' } },
  { href: '/admin/allowlist', label: 'IP allowlist & TFA policy', icon: icons.shield, need: { path: '/access', privilege: 'audit' } },
  { href: '/admin/audit', label: 'Audit log', icon: icons.log, need: { path: '/access', privilege: 'audit' } },
  { href: '/admin/system', label: 'This host', icon: icons.settings, need: { path: '/system', privilege: 'audit' } },
  { href: '/admin/acme', label: 'ACME certificates', icon: icons.shield, need: { path: '/system', privilege: 'admin' } },
  { href: '/admin/journal', label: 'Journal', icon: icons.log, need: { path: '/system', privilege: 'admin' } },
];

const USER_MENU: { href: string; label: string }[] = [
  { href: '/admin/password', label: 'Change password' },
  { href: '/admin/tfa', label: 'Two-factor authentication' },
  { href: '/admin/tokens', label: 'API tokens' },
];

const routed = (href: string) => ROUTES.some((r) => r.pattern === href);

export class StApp extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: block; min-height: 100vh; }
      .shell { display: grid; grid-template-columns: 15.5rem 1fr; grid-template-rows: 3.25rem 1fr; min-height: 100vh; }
      header {
        grid-column: 1 / -1; display: flex; align-items: center; gap: 0.5rem; padding: 0 0.75rem;
        background: var(--st-surface); border-bottom: 1px solid var(--st-border); position: sticky; top: 0; z-index: 20;
      }
      .brand { display: flex; align-items: center; gap: 0.4rem; font-weight: 700; font-size: 1.05rem; color: var(--st-text); text-decoration: none; }
      .brand svg { color: var(--st-accent); }
      .search { flex: 1; max-width: 40rem; margin: 0 auto; }
      nav {
        background: var(--st-surface); border-right: 1px solid var(--st-border); padding: 0.5rem; overflow-y: auto;
        position: sticky; top: 3.25rem; height: calc(100vh - 3.25rem);
      }
      nav a {
        display: flex; align-items: center; gap: 0.6rem; padding: 0.45rem 0.6rem; border-radius: var(--st-radius);
        color: var(--st-text); text-decoration: none;
      }
      nav a:hover { background: var(--st-surface-2); }
      nav a[aria-current='page'] { background: var(--st-surface-2); color: var(--st-accent); font-weight: 600; }
      nav h2 { font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.05em; color: var(--st-text-muted); margin: 1rem 0.6rem 0.3rem; }
      main { padding: 1.25rem; min-width: 0; outline: none; }
      .menu-button { display: none; }
      .user { position: relative; }
      .user-menu {
        position: absolute; right: 0; top: 2.6rem; min-width: 14rem; background: var(--st-surface); border: 1px solid var(--st-border);
        border-radius: var(--st-radius); box-shadow: var(--st-shadow); padding: 0.3rem; z-index: 30;
      }
      .user-menu a, .user-menu button { display: flex; width: 100%; justify-content: flex-start; padding: 0.45rem 0.6rem; border: none; background: none; color: var(--st-text); text-decoration: none; border-radius: var(--st-radius); }
      .user-menu a:hover, .user-menu button:hover { background: var(--st-surface-2); }
      .user-menu .who { padding: 0.45rem 0.6rem; color: var(--st-text-muted); font-size: 0.85rem; border-bottom: 1px solid var(--st-border); margin-bottom: 0.3rem; }
      .username { max-width: 12rem; overflow: hidden; text-overflow: ellipsis; }
      .toasts { position: fixed; right: 1rem; bottom: 1rem; display: grid; gap: 0.5rem; z-index: 50; max-width: min(28rem, calc(100vw - 2rem)); }
      .toast { display: flex; align-items: flex-start; gap: 0.5rem; padding: 0.6rem 0.8rem; border-radius: var(--st-radius); box-shadow: var(--st-shadow); background: var(--st-surface); border-left: 4px solid var(--st-accent); }
      .toast.error { border-left-color: var(--st-error); }
      .toast.ok { border-left-color: var(--st-ok); }
      .toast span { flex: 1; }
      .loading { color: var(--st-text-muted); padding: 2rem; }
      @media (max-width: 760px) {
        .shell { grid-template-columns: 1fr; }
        .menu-button { display: inline-flex; }
        nav { position: fixed; left: 0; top: 3.25rem; bottom: 0; width: min(18rem, 85vw); z-index: 25; transform: translateX(-105%); visibility: hidden; transition: transform 0.15s, visibility 0.15s; box-shadow: var(--st-shadow); }
        nav.open { transform: none; visibility: visible; }
      }
      @media (max-width: 760px) and (prefers-reduced-motion: reduce) {
        nav { transition: none; }
        main { padding: 0.75rem; }
        .username, .brand span { display: none; }
      }
    `,
  ];

  static override properties = {
    ready: { state: true },
    loggedIn: { state: true },
    match: { state: true },
    navOpen: { state: true },
    userMenuOpen: { state: true },
    toasts: { state: true },
    theme: { state: true },
  };

  declare ready: boolean;
  declare loggedIn: boolean;
  declare match: RouteMatch | undefined;
  declare navOpen: boolean;
  declare userMenuOpen: boolean;
  declare toasts: readonly Toast[];
  declare theme: 'light' | 'dark';
  private cleanups: (() => void)[] = [];
  private loadedTags = new Set<string>();

  constructor() {
    super();
    this.ready = false;
    this.loggedIn = false;
    this.navOpen = false;
    this.userMenuOpen = false;
    this.toasts = [];
    this.theme = effectiveTheme();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    interceptLinks();
    this.cleanups.push(
      session.subscribe(() => {
        this.loggedIn = session.loggedIn;
        this.requestUpdate();
      }),
      onNavigate((url) => void this.route(url)),
      onToasts((t) => { this.toasts = t; }),
    );
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => { this.theme = effectiveTheme(); });
    document.addEventListener('keydown', this.onKey);
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const c of this.cleanups) c();
    document.removeEventListener('keydown', this.onKey);
  }

  private async start(): Promise<void> {
    this.loggedIn = await session.resume();
    await this.route(new URL(location.href));
    this.ready = true;
  }

  private onKey = (ev: KeyboardEvent) => {
    if (ev.key === 'Escape') {
      this.userMenuOpen = false;
      this.navOpen = false;
    }
  };

  private async route(url: URL): Promise<void> {
    const match = matchRoute(ROUTES, url.pathname, url.search);
    this.navOpen = false;
    this.userMenuOpen = false;
    if (match?.route.load && !this.loadedTags.has(match.route.tag)) {
      await match.route.load();
      this.loadedTags.add(match.route.tag);
    }
    const first = this.match === undefined;
    this.match = match;
    document.title = match ? `${match.route.title} · Steward` : 'Not found · Steward';
    // After a navigation, put keyboard and screen-reader focus at the start of the new page.
    if (!first) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('main')?.focus({ preventScroll: false });
    }
  }

  private async logout(): Promise<void> {
    await session.logout();
    navigate('/', { replace: true });
  }

  private onThemeToggle(): void {
    toggleTheme();
    this.theme = effectiveTheme();
  }

  private navLink(e: NavEntry) {
    const current = this.match?.route.pattern === e.href;
    return html`<a href=${e.href} aria-current=${current ? 'page' : 'false'}>${e.icon}<span>${e.label}</span></a>`;
  }

  private renderView() {
    const m = this.match;
    if (!m) return html`<h1>Page not found</h1><p>There is no page at this address. <a href="/">Go to the dashboard</a>.</p>`;
    const tag = unsafeStatic(m.route.tag);
    return staticHtml`<${tag} .params=${m.params} .query=${m.query}></${tag}>`;
  }

  override render() {
    if (!this.ready) return html`<div class="loading">Loading…</div>`;
    const toasts = html`<div class="toasts" aria-live="polite">
      ${this.toasts.map((t) => html`<div class="toast ${t.kind}" role=${t.kind === 'error' ? 'alert' : 'status'}>
        <span>${t.text}</span><button class="icon" aria-label="Dismiss" @click=${() => dismiss(t.id)}>${icons.close}</button></div>`)}
    </div>`;
    if (!this.loggedIn) return html`<st-login></st-login>${toasts}`;
    const admin = ADMIN_NAV.filter((e) => routed(e.href) && (!e.need || session.canAnywhereUnder(e.need.path, e.need.privilege)));
    return html`
      <div class="shell">
        <header>
          <button class="icon menu-button" aria-label="Menu" aria-expanded=${String(this.navOpen)} @click=${() => { this.navOpen = !this.navOpen; }}>${icons.menu}</button>
          <a class="brand" href="/">${icons.shield}<span>Steward</span></a>
          <st-search class="search"></st-search>
          <st-task-bar></st-task-bar>
          <button class="icon" aria-label=${this.theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'} title="Toggle theme" @click=${this.onThemeToggle}>
            ${this.theme === 'dark' ? icons.sun : icons.moon}</button>
          <div class="user">
            <button class="icon" aria-haspopup="menu" aria-expanded=${String(this.userMenuOpen)} @click=${() => { this.userMenuOpen = !this.userMenuOpen; }}>
              ${icons.user}<span class="username">${session.username}</span></button>
            ${this.userMenuOpen
              ? html`<div class="user-menu" role="menu">
                  <div class="who">Logged in as ${session.username}</div>
                  ${USER_MENU.filter((e) => routed(e.href)).map((e) => html`<a role="menuitem" href=${e.href}>${e.label}</a>`)}
                  <button role="menuitem" @click=${this.logout}>Log out</button>
                </div>`
              : nothing}
          </div>
        </header>
        <nav class=${this.navOpen ? 'open' : ''} aria-label="Main">
          ${NAV.filter((e) => routed(e.href)).map((e) => this.navLink(e))}
          ${admin.length ? html`<h2>Administration</h2>${admin.map((e) => this.navLink(e))}` : nothing}
          <h2>Resources</h2>
          <st-resource-tree></st-resource-tree>
        </nav>
        <main id="main" tabindex="-1">${this.renderView()}</main>
      </div>
      ${toasts}`;
  }
}
customElements.define('st-app', StApp);
