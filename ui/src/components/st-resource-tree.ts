// The resource tree in the side bar: remotes → nodes → guests and storages (PBS → datastores),
// with status icons. Loaded level by level as branches open, so 50,000 guests cost nothing
// until someone opens a node. A tree in the ARIA sense (WAI-ARIA tree view pattern): one tab
// stop, arrows move between visible items, Right/Left open/close or step in/out, Home/End,
// Enter follows the item's link.
import { LitElement, css, html, nothing } from 'lit';
import type { TemplateResult } from 'lit';
import { api } from '../api/client.ts';
import { displayName, listResources, resourceHref } from '../api/resources.ts';
import type { RemoteState, Resource } from '../api/resources.ts';
import { statusClass } from '../lib/format.ts';
import { baseStyles } from '../lib/styles.ts';

/** Guests shown under one node; beyond it, a link to the table. */
const MAX_CHILDREN = 200;

export class StResourceTree extends LitElement {
  static override styles = [baseStyles, css`
    :host { display: block; font-size: 0.9rem; }
    ul { list-style: none; margin: 0; padding: 0 0 0 0.9rem; }
    :host > ul { padding-left: 0; }
    li { margin: 0; }
    .item { display: flex; align-items: center; gap: 0.3rem; min-height: 1.8rem; }
    .toggle { min-height: 1.4rem; width: 1.4rem; padding: 0; border: none; background: none; color: var(--st-text-muted); font-size: 0.7rem; }
    .leaf { width: 1.4rem; display: inline-block; }
    .dot { width: 0.55rem; height: 0.55rem; border-radius: 50%; background: var(--st-idle); flex: none; }
    .dot.ok { background: var(--st-ok); }
    .dot.warn { background: var(--st-warn); }
    .dot.error { background: var(--st-error); }
    a { color: var(--st-text); text-decoration: none; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    a:hover { text-decoration: underline; }
    .more { padding-left: 1.7rem; }
    [role=treeitem] { outline: none; }
    [role=treeitem]:focus-visible > .item { outline: 2px solid var(--st-focus, var(--st-accent)); outline-offset: -2px; border-radius: 3px; }
  `];

  static override properties = { remotes: { state: true }, open: { state: true }, loaded: { state: true }, active: { state: true } };
  declare remotes: RemoteState[];
  /** Keys of the open branches: 'r:<remote>', 'n:<remote>/<node>'. */
  declare open: Set<string>;
  declare loaded: Map<string, { rows: Resource[]; total: number }>;
  /** Key of the item holding the tree's single tab stop (roving tabindex); '' = the first. */
  declare active: string;

  constructor() {
    super();
    this.remotes = [];
    this.open = new Set();
    this.loaded = new Map();
    this.active = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  async load(): Promise<void> {
    try {
      const status = await api.get<{ remotes: { list: RemoteState[] } }>('/resources/status');
      this.remotes = status.remotes.list;
    } catch {
      // The dashboard shows the error; an empty tree is the honest state here.
    }
  }

  private async toggle(key: string, search: string): Promise<void> {
    const open = new Set(this.open);
    if (open.has(key)) open.delete(key);
    else {
      open.add(key);
      if (!this.loaded.has(key)) {
        try {
          const list = await listResources({ search, limit: MAX_CHILDREN, sort: 'name' });
          this.loaded = new Map(this.loaded).set(key, { rows: list.resources, total: list.total });
        } catch {
          this.loaded = new Map(this.loaded).set(key, { rows: [], total: 0 });
        }
      }
    }
    this.open = open;
  }

  /** The tab stop: the active item, or the first one while none was focused yet. */
  private tabindex(key: string, first: boolean): string {
    return (this.active ? this.active === key : first) ? '0' : '-1';
  }

  private branch(key: string, level: number, label: string, href: string, status: string | undefined, search: string, first = false): TemplateResult {
    const isOpen = this.open.has(key);
    const kids = this.loaded.get(key);
    // The toggle and the link are for the mouse; the keyboard acts on the treeitem itself.
    return html`<li role="treeitem" aria-level=${level} aria-expanded=${String(isOpen)} aria-label=${label}
        data-key=${key} data-search=${search} tabindex=${this.tabindex(key, first)}>
      <div class="item">
        <button class="toggle" tabindex="-1" aria-hidden="true" @click=${() => void this.toggle(key, search)}>${isOpen ? '▼' : '▶'}</button>
        <span class="dot ${statusClass(status)}" title=${status ?? ''}></span><a href=${href} tabindex="-1">${label}</a>
      </div>
      ${isOpen && kids ? html`<ul role="group">${this.leaves(level + 1, kids.rows)}${kids.total > kids.rows.length
        ? html`<li role="treeitem" aria-level=${level + 1} class="more" data-key="more:${key}" tabindex=${this.tabindex(`more:${key}`, false)}
            ><div class="item"><a href="/resources?search=${encodeURIComponent(search)}" tabindex="-1">all ${kids.total.toLocaleString()}…</a></div></li>` : nothing}</ul>` : nothing}
    </li>`;
  }

  private leaves(level: number, rows: Resource[]): TemplateResult[] {
    return rows.map((r): TemplateResult => {
      if (r.type === 'node' && r.node) {
        return this.branch(`n:${r.remote}/${r.node}`, level, r.node, resourceHref(r) ?? '#', r.status, `+remote:${r.remote} +node:${r.node} -type:node`);
      }
      const key = `l:${r.remote}/${r.id}`;
      const href = resourceHref(r) ?? `/resources?search=${encodeURIComponent(`+remote:${r.remote} +id:${r.id}`)}`;
      return html`<li role="treeitem" aria-level=${level} data-key=${key} tabindex=${this.tabindex(key, false)}><div class="item"><span class="leaf"></span>
        <span class="dot ${statusClass(r.status)}" title=${r.status ?? ''}></span><a href=${href} tabindex="-1">${displayName(r)}</a></div></li>`;
    });
  }

  /** The treeitems a person can see, in order (closed branches render no children). */
  private visibleItems(): HTMLElement[] {
    return [...this.renderRoot.querySelectorAll<HTMLElement>('[role=treeitem]')];
  }

  private focusItem(item: HTMLElement | null | undefined): void {
    if (!item) return;
    this.active = item.dataset['key'] ?? '';
    item.focus();
  }

  private async onKeydown(e: KeyboardEvent): Promise<void> {
    const item = (e.target as HTMLElement).closest<HTMLElement>('[role=treeitem]');
    if (!item || e.altKey || e.ctrlKey || e.metaKey) return;
    const items = this.visibleItems();
    const at = items.indexOf(item);
    const key = item.dataset['key'] ?? '';
    const expandable = item.hasAttribute('aria-expanded');
    const isOpen = item.getAttribute('aria-expanded') === 'true';
    const parent = item.parentElement?.closest<HTMLElement>('[role=treeitem]');
    const handled: Record<string, () => Promise<void> | void> = {
      ArrowDown: () => this.focusItem(items[at + 1]),
      ArrowUp: () => this.focusItem(items[at - 1]),
      Home: () => this.focusItem(items[0]),
      End: () => this.focusItem(items[items.length - 1]),
      ArrowRight: async () => {
        if (!expandable) return;
        if (!isOpen) await this.toggle(key, item.dataset['search'] ?? '');
        else this.focusItem(item.querySelector<HTMLElement>('[role=group] > [role=treeitem]'));
      },
      ArrowLeft: async () => {
        if (expandable && isOpen) await this.toggle(key, item.dataset['search'] ?? '');
        else this.focusItem(parent);
      },
      Enter: () => item.querySelector<HTMLAnchorElement>(':scope > .item a')?.click(),
    };
    const act = handled[e.key];
    if (!act) return;
    e.preventDefault();
    await act();
  }

  protected override updated(): void {
    // A branch closed by the mouse may have taken the active item with it: keep one tab stop.
    const items = this.visibleItems();
    if (items.length && !items.some((i) => i.tabIndex === 0)) items[0]!.tabIndex = 0;
  }

  override render() {
    if (!this.remotes.length) return nothing;
    return html`<ul role="tree" aria-label="Resource tree" @keydown=${(e: KeyboardEvent) => void this.onKeydown(e)}
        @focusin=${(e: FocusEvent) => { this.active = (e.target as HTMLElement).dataset['key'] ?? this.active; }}>${this.remotes.map((r, i) =>
      this.branch(`r:${r.remote}`, 1, r.remote, `/remotes/${encodeURIComponent(r.remote)}`, r.status === 'degraded' ? 'warning' : r.status,
        r.type === 'pbs' ? `+remote:${r.remote} +type:datastore` : `+remote:${r.remote} +type:node`, i === 0))}</ul>`;
  }
}
customElements.define('st-resource-tree', StResourceTree);
