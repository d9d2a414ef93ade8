// All resources the session may see, searchable with the API's search syntax
// (`type:qemu status:running cpu>80% -tag:test`), in the virtualized table.
import { LitElement, css, html, nothing } from 'lit';
import { ApiRequestError, errorText } from '../api/client.ts';
import { listResources } from '../api/resources.ts';
import type { RemoteState, Resource } from '../api/resources.ts';
import '../components/st-resource-table.ts';
import { age } from '../lib/format.ts';
import { setQuery } from '../lib/router.ts';
import { baseStyles } from '../lib/styles.ts';

const DEBOUNCE_MS = 250;

export class StViewResources extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: block; }
      .toolbar { margin-bottom: 0.75rem; }
      .toolbar input { flex: 1; min-width: 12rem; }
      .count { white-space: nowrap; }
      .warn { background: var(--st-warn-bg); color: var(--st-warn); border-radius: var(--st-radius); padding: 0.4rem 0.8rem; margin-bottom: 0.5rem; }
    `,
  ];

  static override properties = {
    query: { attribute: false },
    rows: { state: true },
    remotes: { state: true },
    error: { state: true },
    loading: { state: true },
    search: { state: true },
  };

  declare query: URLSearchParams | undefined;
  declare rows: Resource[];
  declare remotes: RemoteState[];
  declare error: string | undefined;
  declare loading: boolean;
  declare search: string;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inflight: AbortController | undefined;

  constructor() {
    super();
    this.rows = [];
    this.remotes = [];
    this.loading = false;
    this.search = '';
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('query')) {
      const s = this.query?.get('search') ?? '';
      if (s !== this.search || !changed.get('query')) {
        this.search = s;
        void this.load();
      }
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
    this.inflight?.abort();
  }

  private async load(): Promise<void> {
    this.inflight?.abort();
    const ctl = new AbortController();
    this.inflight = ctl;
    this.loading = true;
    try {
      const list = await listResources(this.search, ctl.signal);
      this.rows = list.resources;
      this.remotes = list.remotes;
      this.error = undefined;
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      this.error = err instanceof ApiRequestError && err.code === 'search_syntax' ? `Search: ${err.message}` : errorText(err);
    } finally {
      if (this.inflight === ctl) this.loading = false;
    }
  }

  private onInput(ev: Event): void {
    this.search = (ev.target as HTMLInputElement).value;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      setQuery({ search: this.search.trim() || undefined });
      void this.load();
    }, DEBOUNCE_MS);
  }

  override render() {
    const down = this.remotes.filter((r) => r.status === 'down' || r.status === 'degraded');
    return html`
      <h1>Resources</h1>
      <div class="row toolbar">
        <input type="search" aria-label="Filter resources" placeholder="Filter: name, type:qemu, status:running, remote:…, cpu>80%"
          .value=${this.search} @input=${this.onInput} maxlength="1024" spellcheck="false" autocapitalize="off">
        <span class="count muted" role="status">${this.loading ? 'Loading…' : `${this.rows.length.toLocaleString()} resources`}</span>
      </div>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      ${down.map((r) => html`<div class="warn" role="status">Remote <strong>${r.remote}</strong> is ${r.status}${r.error ? `: ${r.error}` : ''}${r.problems?.length ? ` (${r.problems.join('; ')})` : ''}
        ${r['last-success'] ? html` — showing data from ${age(r['last-success'])}` : nothing}</div>`)}
      <st-resource-table .rows=${this.rows}></st-resource-table>
    `;
  }
}
customElements.define('st-view-resources', StViewResources);
