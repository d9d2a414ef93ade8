// The global search in the top bar: the resources search syntax with suggestions; Enter
// opens the resources table filtered by it. A combobox in the ARIA sense (arrow keys, Enter, Escape).
import { LitElement, css, html, nothing } from 'lit';
import { api } from '../api/client.ts';
import { icons } from '../lib/icons.ts';
import { navigate, onNavigate } from '../lib/router.ts';
import { suggest } from '../lib/search-suggest.ts';
import type { Suggestion } from '../lib/search-suggest.ts';
import { baseStyles } from '../lib/styles.ts';

export class StSearch extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: block; position: relative; }
      .box { position: relative; }
      .box svg { position: absolute; left: 0.55rem; top: 50%; transform: translateY(-50%); color: var(--st-text-muted); }
      input { padding-left: 2.3rem; background: var(--st-surface-2); }
      ul { position: absolute; left: 0; right: 0; top: 2.4rem; margin: 0; padding: 0.3rem; list-style: none; background: var(--st-surface); border: 1px solid var(--st-border); border-radius: var(--st-radius); box-shadow: var(--st-shadow); z-index: 40; }
      li { padding: 0.35rem 0.6rem; border-radius: var(--st-radius); cursor: pointer; font-family: var(--st-mono); font-size: 0.9rem; }
      li[aria-selected='true'], li:hover { background: var(--st-surface-2); }
      .hint { font-family: var(--st-font); color: var(--st-text-muted); font-size: 0.8rem; padding: 0.35rem 0.6rem; }
    `,
  ];

  static override properties = {
    value: { state: true },
    suggestions: { state: true },
    active: { state: true },
  };

  declare value: string;
  declare suggestions: Suggestion[];
  declare active: number;
  private remotes: string[] | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor() {
    super();
    this.value = new URL(location.href).searchParams.get('search') ?? '';
    this.suggestions = [];
    this.active = -1;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Show the search in effect: the one in the address of the resources page, else none.
    this.unsubscribe = onNavigate((url) => {
      this.value = url.pathname === '/resources' ? (url.searchParams.get('search') ?? '') : '';
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }

  private async knownRemotes(): Promise<string[]> {
    if (!this.remotes) {
      try {
        this.remotes = (await api.get<{ id: string }[]>('/remotes')).map((r) => r.id);
      } catch {
        this.remotes = [];
      }
    }
    return this.remotes;
  }

  private async update_(value: string): Promise<void> {
    this.value = value;
    const remotes = await this.knownRemotes();
    this.suggestions = value.endsWith(' ') ? [] : suggest(value, { remotes });
    this.active = -1;
  }

  private submit(value = this.value): void {
    this.suggestions = [];
    navigate(`/resources?search=${encodeURIComponent(value.trim())}`);
  }

  private pick(s: Suggestion): void {
    this.value = s.text;
    this.suggestions = [];
    this.renderRoot.querySelector('input')?.focus();
    if (s.text.endsWith(' ')) this.submit(s.text);
  }

  private onKey(ev: KeyboardEvent): void {
    const n = this.suggestions.length;
    if (ev.key === 'ArrowDown' && n) {
      ev.preventDefault();
      this.active = (this.active + 1) % n;
    } else if (ev.key === 'ArrowUp' && n) {
      ev.preventDefault();
      this.active = (this.active - 1 + n) % n;
    } else if (ev.key === 'Enter') {
      ev.preventDefault();
      const s = this.suggestions[this.active];
      if (s) this.pick(s);
      else this.submit();
    } else if (ev.key === 'Escape') {
      this.suggestions = [];
    }
  }

  override render() {
    const open = this.suggestions.length > 0;
    return html`<div class="box">
      ${icons.search}
      <input type="search" role="combobox" aria-label="Search resources" aria-autocomplete="list" aria-controls="suggestions"
        aria-expanded=${String(open)} aria-activedescendant=${this.active >= 0 ? `s${this.active}` : ''}
        placeholder="Search: name, type:qemu, status:stopped, cpu>80%…" maxlength="1024" spellcheck="false" autocapitalize="off"
        .value=${this.value} @input=${(e: Event) => void this.update_((e.target as HTMLInputElement).value)}
        @keydown=${this.onKey} @focus=${() => void this.update_(this.value)} @blur=${() => setTimeout(() => { this.suggestions = []; }, 150)}>
      ${open
        ? html`<ul id="suggestions" role="listbox" aria-label="Suggestions">
            ${this.suggestions.map((s, i) => html`<li id="s${i}" role="option" aria-selected=${String(i === this.active)}
              @mousedown=${(e: Event) => { e.preventDefault(); this.pick(s); }}>${s.label}</li>`)}
            <li class="hint" role="presentation">Enter searches · +term required · -term excluded</li>
          </ul>`
        : nothing}
    </div>`;
  }
}
customElements.define('st-search', StSearch);
