// Usage history from an rrddata route, as charts, with a timeframe selector. The same for
// guests, nodes, storages and datastores; `kind` picks the fields (Proxmox names them differently).
import { LitElement, css, html } from 'lit';
import { api } from '../api/client.ts';
import { bytes, percent } from '../lib/format.ts';
import { baseStyles } from '../lib/styles.ts';
import type { ChartSeries } from './st-chart.ts';
import './st-chart.ts';

type Point = Record<string, number | string | null>;
const TIMEFRAMES = ['hour', 'day', 'week', 'month', 'year'] as const;

interface ChartSpec { heading: string; max?: (p: Point[]) => number | undefined; format: (v: number) => string; series: { label: string; field: string }[] }

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const maxOf = (field: string) => (points: Point[]) => Math.max(0, ...points.map((p) => num(p[field]) ?? 0)) || undefined;
const rate = (v: number) => `${bytes(v)}/s`;

const SPECS: Record<'guest' | 'node' | 'storage' | 'datastore', ChartSpec[]> = {
  guest: [
    { heading: 'CPU', max: () => 1, format: percent, series: [{ label: 'CPU', field: 'cpu' }] },
    { heading: 'Memory', max: maxOf('maxmem'), format: bytes, series: [{ label: 'Used', field: 'mem' }] },
    { heading: 'Network', format: rate, series: [{ label: 'In', field: 'netin' }, { label: 'Out', field: 'netout' }] },
  ],
  node: [
    { heading: 'CPU', max: () => 1, format: percent, series: [{ label: 'CPU', field: 'cpu' }] },
    { heading: 'Memory', max: maxOf('memtotal'), format: bytes, series: [{ label: 'Used', field: 'memused' }] },
    { heading: 'Network', format: rate, series: [{ label: 'In', field: 'netin' }, { label: 'Out', field: 'netout' }] },
  ],
  storage: [
    { heading: 'Usage', max: maxOf('total'), format: bytes, series: [{ label: 'Used', field: 'used' }] },
  ],
  datastore: [
    { heading: 'Usage', max: maxOf('total'), format: bytes, series: [{ label: 'Used', field: 'used' }] },
    { heading: 'I/O', format: rate, series: [{ label: 'Read', field: 'read_bytes' }, { label: 'Write', field: 'write_bytes' }] },
  ],
};

export class StRrd extends LitElement {
  static override styles = [baseStyles, css`
    :host { display: block; }
    .chart-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(20rem, 100%), 1fr)); gap: 1rem; }
    select { width: auto; }
  `];

  static override properties = { url: {}, kind: {}, points: { state: true }, timeframe: { state: true }, failed: { state: true } };
  declare url: string;
  declare kind: keyof typeof SPECS;
  declare points: Point[];
  declare timeframe: (typeof TIMEFRAMES)[number];
  declare failed: string | undefined;

  constructor() {
    super();
    this.points = [];
    this.timeframe = 'hour';
    this.kind = 'guest';
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('url') || changed.has('timeframe')) void this.load();
  }

  private async load(): Promise<void> {
    if (!this.url) return;
    try {
      this.points = await api.get<Point[]>(this.url, { timeframe: this.timeframe, cf: 'AVERAGE' });
      this.failed = undefined;
    } catch (err) {
      this.points = [];
      this.failed = (err as Error).message;
    }
  }

  override render() {
    const times = this.points.map((p) => num(p.time) ?? 0);
    return html`<section class="card" aria-label="Usage history">
      <div class="row"><h2>History</h2><span class="spacer"></span>
        <select aria-label="Time frame" @change=${(e: Event) => { this.timeframe = (e.target as HTMLSelectElement).value as typeof this.timeframe; }}>
          ${TIMEFRAMES.map((t) => html`<option ?selected=${t === this.timeframe}>${t}</option>`)}</select></div>
      ${this.points.length
        ? html`<div class="chart-grid">${SPECS[this.kind].map((c) => html`<st-chart heading=${c.heading} .times=${times} .format=${c.format}
            .max=${c.max?.(this.points)} .series=${c.series.map((s, i): ChartSeries => ({ label: s.label, cls: i ? 'b' : 'a', values: this.points.map((p) => num(p[s.field])) }))}></st-chart>`)}</div>`
        : html`<p class="muted">${this.failed ? `No usage history: ${this.failed}` : 'No data for this period'}</p>`}
    </section>`;
  }
}
customElements.define('st-rrd', StRrd);
