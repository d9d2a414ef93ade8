// The resources table: sortable, virtualized (only the rows in view plus a margin are in the
// DOM, so 50,000 rows scroll as smoothly as 50), rows at a fixed height.
import { LitElement, css, html, nothing } from 'lit';
import type { Resource } from '../api/resources.ts';
import { displayName, resourceHref } from '../api/resources.ts';
import { duration, statusClass } from '../lib/format.ts';
import { styleProps } from '../lib/style-props.ts';
import { baseStyles, usageStyles } from '../lib/styles.ts';
import { ratio, usageBar } from './st-usage.ts';

export const ROW_HEIGHT = 36;
const OVERSCAN = 8;

type SortKey = 'status' | 'name' | 'type' | 'remote' | 'node' | 'cpu' | 'mem' | 'disk' | 'uptime';

const COLUMNS: { key: SortKey; label: string; cls?: string }[] = [
  { key: 'status', label: 'Status' },
  { key: 'name', label: 'Name' },
  { key: 'type', label: 'Type', cls: 'wide' },
  { key: 'remote', label: 'Remote', cls: 'wide' },
  { key: 'node', label: 'Node', cls: 'wide' },
  { key: 'cpu', label: 'CPU' },
  { key: 'mem', label: 'Memory' },
  { key: 'disk', label: 'Disk', cls: 'wide' },
  { key: 'uptime', label: 'Uptime', cls: 'wide' },
];

function sortValue(r: Resource, key: SortKey): string | number {
  switch (key) {
    case 'name': return displayName(r).toLowerCase();
    case 'cpu': return r.cpu ?? -1;
    case 'mem': return ratio(r.mem, r.maxmem) ?? -1;
    case 'disk': return ratio(r.disk, r.maxdisk) ?? -1;
    case 'uptime': return r.uptime ?? -1;
    default: return (r[key] ?? '').toString();
  }
}

export class StResourceTable extends LitElement {
  static override styles = [
    baseStyles,
    usageStyles,
    css`
      :host { display: block; --cols: 6.5rem minmax(10rem, 2fr) 5rem minmax(6rem, 1fr) minmax(6rem, 1fr) 8rem 8rem 8rem 6rem; }
      .table { border: 1px solid var(--st-border); border-radius: var(--st-radius); background: var(--st-surface); overflow: hidden; }
      .tr, .thead { display: grid; grid-template-columns: var(--cols); align-items: center; }
      .thead { border-bottom: 1px solid var(--st-border); background: var(--st-surface-2); }
      .thead button { border: none; background: none; border-radius: 0; justify-content: flex-start; font-weight: 600; color: var(--st-text-muted); font-size: 0.85rem; padding: 0 0.6rem; width: 100%; }
      .viewport { position: relative; overflow-y: auto; height: var(--table-height, calc(100vh - 13rem)); min-height: 15rem; contain: strict; }
      .spacer { position: relative; }
      .tr { position: absolute; left: 0; right: 0; top: 0; height: ${ROW_HEIGHT}px; border-bottom: 1px solid var(--st-border); }
      .tr:hover { background: var(--st-surface-2); }
      .tr > span { padding: 0 0.6rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
      .empty { padding: 2rem; text-align: center; color: var(--st-text-muted); }
      @media (max-width: 760px) {
        :host { --cols: 5.5rem minmax(7rem, 1fr) 5.5rem 5.5rem; }
        .wide { display: none; }
        .pct { display: none; }
      }
    `,
  ];

  static override properties = {
    rows: { attribute: false },
    sortKey: { state: true },
    sortDesc: { state: true },
    scrollTop: { state: true },
    viewportHeight: { state: true },
  };

  declare rows: Resource[];
  declare sortKey: SortKey | undefined;
  declare sortDesc: boolean;
  declare scrollTop: number;
  declare viewportHeight: number;
  private sortedCache: { rows: Resource[]; key: SortKey | undefined; desc: boolean; out: Resource[] } | undefined;
  private resizeObserver = new ResizeObserver((entries) => {
    this.viewportHeight = entries[0]?.contentRect.height ?? this.viewportHeight;
  });
  private frame = 0;

  constructor() {
    super();
    this.rows = [];
    this.sortDesc = false;
    this.scrollTop = 0;
    this.viewportHeight = 600;
  }

  override firstUpdated(): void {
    const vp = this.renderRoot.querySelector('.viewport');
    if (vp) this.resizeObserver.observe(vp);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver.disconnect();
    cancelAnimationFrame(this.frame);
  }

  private sorted(): Resource[] {
    const c = this.sortedCache;
    if (c && c.rows === this.rows && c.key === this.sortKey && c.desc === this.sortDesc) return c.out;
    let out = this.rows;
    const key = this.sortKey;
    if (key) {
      const dir = this.sortDesc ? -1 : 1;
      const keyed = this.rows.map((r) => [sortValue(r, key), r] as const);
      keyed.sort((a, b) => (a[0] < b[0] ? -dir : a[0] > b[0] ? dir : 0));
      out = keyed.map((k) => k[1]);
    }
    this.sortedCache = { rows: this.rows, key, desc: this.sortDesc, out };
    return out;
  }

  private onSort(key: SortKey): void {
    if (this.sortKey === key) this.sortDesc = !this.sortDesc;
    else {
      this.sortKey = key;
      this.sortDesc = key === 'cpu' || key === 'mem' || key === 'disk' || key === 'uptime';
    }
  }

  private onScroll(ev: Event): void {
    const top = (ev.target as HTMLElement).scrollTop;
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => { this.scrollTop = top; });
  }

  private renderRow(r: Resource, index: number) {
    const href = resourceHref(r);
    const status = r.status ?? 'unknown';
    const name = displayName(r);
    return html`<div class="tr" role="row" aria-rowindex=${index + 2} ${styleProps({ transform: `translateY(${index * ROW_HEIGHT}px)` })}>
      <span role="cell"><span class="badge ${statusClass(status)}">${status}</span></span>
      <span role="cell" title=${name}>${href ? html`<a href=${href}>${name}</a>` : name}</span>
      <span role="cell" class="wide">${r.type}</span>
      <span role="cell" class="wide">${r.remote}</span>
      <span role="cell" class="wide">${r.node ?? ''}</span>
      <span role="cell">${usageBar(r.cpu, 'CPU')}</span>
      <span role="cell">${usageBar(ratio(r.mem, r.maxmem), 'Memory')}</span>
      <span role="cell" class="wide">${usageBar(ratio(r.disk, r.maxdisk), 'Disk')}</span>
      <span role="cell" class="wide">${duration(r.uptime)}</span>
    </div>`;
  }

  override render() {
    const rows = this.sorted();
    const first = Math.max(0, Math.floor(this.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(rows.length, Math.ceil((this.scrollTop + this.viewportHeight) / ROW_HEIGHT) + OVERSCAN);
    const visible = rows.slice(first, last);
    return html`<div class="table" role="table" aria-label="Resources" aria-rowcount=${rows.length + 1}>
      <div class="thead" role="row" aria-rowindex="1">
        ${COLUMNS.map((c) => html`<span role="columnheader" class=${c.cls ?? ''}
            aria-sort=${this.sortKey === c.key ? (this.sortDesc ? 'descending' : 'ascending') : 'none'}>
          <button @click=${() => this.onSort(c.key)}>${c.label}${this.sortKey === c.key ? (this.sortDesc ? ' ▼' : ' ▲') : ''}</button></span>`)}
      </div>
      <div class="viewport" @scroll=${this.onScroll}>
        ${rows.length
          ? html`<div class="spacer" role="rowgroup" ${styleProps({ height: `${rows.length * ROW_HEIGHT}px` })}>
              ${visible.map((r, i) => this.renderRow(r, first + i))}</div>`
          : html`<div class="empty">${nothing}No resources match.</div>`}
      </div>
    </div>`;
  }
}
customElements.define('st-resource-table', StResourceTable);
