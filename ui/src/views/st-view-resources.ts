// All resources the session may see, searchable with the API's search syntax
// (`type:qemu status:running cpu>80% -tag:test`), sorted by the API, fetched a page at a
// time into the virtualized table.
import { LitElement, css, html, nothing } from 'lit';
import { ApiRequestError, errorText } from '../api/client.ts';
import { listResources } from '../api/resources.ts';
import type { RemoteState, Resource } from '../api/resources.ts';
import '../components/st-resource-table.ts';
import type { SortKey } from '../components/st-resource-table.ts';
import { age } from '../lib/format.ts';
import { PagedRows } from '../lib/paged-rows.ts';
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
    remotes: { state: true },
    error: { state: true },
    loading: { state: true },
    search: { state: true },
    sortKey: { state: true },
    sortDesc: { state: true },
    version: { state: true },
  };

  declare query: URLSearchParams | undefined;
  declare remotes: RemoteState[];
  declare error: string | undefined;
  declare loading: boolean;
  declare search: string;
  declare sortKey: SortKey | undefined;
  declare sortDesc: boolean;
  declare version: number;
  private rows: PagedRows<Resource> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.remotes = [];
    this.loading = false;
    this.search = '';
    this.sortDesc = false;
    this.version = 0;
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('query')) {
      const s = this.query?.get('search') ?? '';
      if (s !== this.search || !this.rows) {
        this.search = s;
        void this.load();
      }
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
    this.rows?.dispose();
  }

  /** Starts over with the current search and sort: a fresh page source, first page now. */
  private async load(): Promise<void> {
    this.rows?.dispose();
    const search = this.search.trim();
    const sort = this.sortKey;
    const order = this.sortDesc ? 'desc' : 'asc';
    const rows = new PagedRows<Resource>(
      async (start, limit, signal) => {
        const list = await listResources({ search, sort, order: sort ? order : undefined, start, limit }, signal);
        if (start === 0) this.remotes = list.remotes;
        return { total: list.total, rows: list.resources };
      },
      () => { this.version++; },
      (err) => {
        this.error = err instanceof ApiRequestError && err.code === 'search_syntax' ? `Search: ${err.message}` : errorText(err);
      },
    );
    this.rows = rows;
    this.loading = true;
    this.error = undefined;
    await rows.start();
    if (this.rows === rows) this.loading = false;
  }

  private onInput(ev: Event): void {
    this.search = (ev.target as HTMLInputElement).value;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      setQuery({ search: this.search.trim() || undefined });
      void this.load();
    }, DEBOUNCE_MS);
  }

  private onSort(ev: CustomEvent<{ key: SortKey; desc: boolean }>): void {
    this.sortKey = ev.detail.key;
    this.sortDesc = ev.detail.desc;
    void this.load();
  }

  override render() {
    const down = this.remotes.filter((r) => r.status === 'down' || r.status === 'degraded');
    const rows = this.rows;
    return html`
      <h1>Resources</h1>
      <div class="row toolbar">
        <input type="search" aria-label="Filter resources" placeholder="Filter: name, type:qemu, status:running, remote:…, cpu>80%"
          .value=${this.search} @input=${this.onInput} maxlength="1024" spellcheck="false" autocapitalize="off">
        <span class="count muted" role="status">${this.loading ? 'Loading…' : `${(rows?.total ?? 0).toLocaleString()} ${rows?.total === 1 ? 'resource' : 'resources'}`}</span>
      </div>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      ${down.map((r) => html`<div class="warn" role="status">Remote <strong>${r.remote}</strong> is ${r.status}${r.error ? `: ${r.error}` : ''}${r.problems?.length ? ` (${r.problems.join('; ')})` : ''}
        ${r['last-success'] ? html` — showing data from ${age(r['last-success'])}` : nothing}</div>`)}
      <st-resource-table .total=${rows?.total ?? 0} .version=${this.version} .rowAt=${(i: number) => rows?.rowAt(i)}
        .sortKey=${this.sortKey} .sortDesc=${this.sortDesc}
        @sort=${this.onSort} @range=${(e: CustomEvent<{ first: number; last: number }>) => rows?.ensure(e.detail.first, e.detail.last)}></st-resource-table>
    `;
  }
}
customElements.define('st-view-resources', StViewResources);
