// The resources table: sortable, virtualized (only the rows in view plus a margin are in the
// DOM, so 50,000 rows scroll as smoothly as 50), rows at a fixed height. It does not hold the
// data: it asks `rowAt(i)` and tells its owner which rows are in view ('range') and which sort
// was picked ('sort'), so the owner can fetch pages from the API as the user scrolls.
import { LitElement, css, html, nothing } from 'lit';
import type { Resource } from '../api/resources.ts';
import { displayName, resourceHref } from '../api/resources.ts';
import { duration, statusClass } from '../lib/format.ts';
import { styleProps } from '../lib/style-props.ts';
import { baseStyles, usageStyles } from '../lib/styles.ts';
import { ratio, usageBar } from './st-usage.ts';

export const ROW_HEIGHT = 36;
const OVERSCAN = 8;

export type SortKey = 'status' | 'name' | 'type' | 'remote' | 'node' | 'cpu' | 'mem' | 'disk' | 'uptime';

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
        :host { --cols: 6.2rem minmax(7rem, 1fr) 4.5rem 4.5rem; }
        .wide { display: none; }
        .pct { display: none; }
      }
    `,
  ];

  static override properties = {
    total: { type: Number },
    rowAt: { attribute: false },
    version: { type: Number },
    sortKey: { attribute: false },
    sortDesc: { type: Boolean },
    scrollTop: { state: true },
    viewportHeight: { state: true },
  };

  declare total: number;
  declare rowAt: (i: number) => Resource | undefined;
  /** Bumped by the owner when more rows arrived, so the table re-renders. */
  declare version: number;
  declare sortKey: SortKey | undefined;
  declare sortDesc: boolean;
  declare scrollTop: number;
  declare viewportHeight: number;
  private lastRange = '';
  private resizeObserver = new ResizeObserver((entries) => {
    this.viewportHeight = entries[0]?.contentRect.height ?? this.viewportHeight;
  });
  private frame = 0;

  constructor() {
    super();
    this.total = 0;
    this.rowAt = () => undefined;
    this.version = 0;
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

  private onSort(key: SortKey): void {
    const desc = this.sortKey === key ? !this.sortDesc : key === 'cpu' || key === 'mem' || key === 'disk' || key === 'uptime';
    this.dispatchEvent(new CustomEvent('sort', { detail: { key, desc } }));
    const vp = this.renderRoot.querySelector('.viewport');
    if (vp) vp.scrollTop = 0;
    this.scrollTop = 0;
  }

  /** The rows in view plus the margin. */
  range(): { first: number; last: number } {
    const first = Math.max(0, Math.floor(this.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.total, Math.ceil((this.scrollTop + this.viewportHeight) / ROW_HEIGHT) + OVERSCAN);
    return { first, last };
  }

  override updated(): void {
    const { first, last } = this.range();
    const key = `${first}:${last}:${this.total}`;
    if (key !== this.lastRange) {
      this.lastRange = key;
      this.dispatchEvent(new CustomEvent('range', { detail: { first, last } }));
    }
  }

  private onScroll(ev: Event): void {
    const top = (ev.target as HTMLElement).scrollTop;
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => { this.scrollTop = top; });
  }

  private renderRow(r: Resource | undefined, index: number) {
    const style = styleProps({ transform: `translateY(${index * ROW_HEIGHT}px)` });
    if (!r) return html`<div class="tr" role="row" aria-rowindex=${index + 2} ${style}><span role="cell" class="muted">…</span></div>`;
    const href = resourceHref(r);
    const status = r.status ?? 'unknown';
    const name = displayName(r);
    return html`<div class="tr" role="row" aria-rowindex=${index + 2} ${style}>
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
    const { first, last } = this.range();
    const visible: (Resource | undefined)[] = [];
    for (let i = first; i < last; i++) visible.push(this.rowAt(i));
    return html`<div class="table" role="table" aria-label="Resources" aria-rowcount=${this.total + 1}>
      <div class="thead" role="row" aria-rowindex="1">
        ${COLUMNS.map((c) => html`<span role="columnheader" class=${c.cls ?? ''}
            aria-sort=${this.sortKey === c.key ? (this.sortDesc ? 'descending' : 'ascending') : 'none'}>
          <button @click=${() => this.onSort(c.key)}>${c.label}${this.sortKey === c.key ? (this.sortDesc ? ' ▼' : ' ▲') : ''}</button></span>`)}
      </div>
      <div class="viewport" @scroll=${this.onScroll}>
        ${this.total
          ? html`<div class="spacer" role="rowgroup" ${styleProps({ height: `${this.total * ROW_HEIGHT}px` })}>
              ${visible.map((r, i) => this.renderRow(r, first + i))}</div>`
          : html`<div class="empty">${nothing}No resources match.</div>`}
      </div>
    </div>`;
  }
}
customElements.define('st-resource-table', StResourceTable);
