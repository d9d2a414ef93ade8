// A small SVG line chart for RRD data (own code: a chart library would outweigh the rest of
// the page). Several series over one time axis, a max line at the top, min/max labels; a
// timeframe without a single value says so instead of drawing empty axes.
import { LitElement, css, html, svg } from 'lit';
import { linePaths } from '../lib/chart-geometry.ts';
import { baseStyles } from '../lib/styles.ts';

export interface ChartSeries { label: string; values: (number | null | undefined)[]; cls: 'a' | 'b' }

const W = 600;
const H = 150;

export class StChart extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: block; }
      svg, .empty { width: 100%; height: 9rem; display: block; background: var(--st-surface-2); border-radius: var(--st-radius); }
      .empty { display: flex; align-items: center; justify-content: center; margin: 0; color: var(--st-text-muted); }
      polyline { fill: none; stroke-width: 2; vector-effect: non-scaling-stroke; }
      .a { stroke: var(--st-accent); }
      .b { stroke: var(--st-warn); }
      .grid { stroke: var(--st-border); stroke-width: 1; vector-effect: non-scaling-stroke; }
      .legend { display: flex; gap: 1rem; font-size: 0.85rem; margin-top: 0.3rem; flex-wrap: wrap; }
      .swatch { display: inline-block; width: 0.8rem; height: 0.2rem; vertical-align: middle; margin-right: 0.3rem; }
      .swatch.a { background: var(--st-accent); }
      .swatch.b { background: var(--st-warn); }
      .axis { display: flex; justify-content: space-between; font-size: 0.75rem; color: var(--st-text-muted); }
    `,
  ];

  static override properties = {
    heading: {},
    series: { attribute: false },
    times: { attribute: false },
    max: { type: Number },
    format: { attribute: false },
  };

  declare heading: string;
  declare series: ChartSeries[];
  declare times: number[];
  declare max: number | undefined;
  declare format: (v: number) => string;

  constructor() {
    super();
    this.series = [];
    this.times = [];
    this.format = (v) => v.toFixed(1);
  }

  override render() {
    const all = this.series.flatMap((s) => s.values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)));
    if (!all.length) return html`<h3>${this.heading}</h3><p class="empty">No data for this period</p>`;
    const max = this.max ?? Math.max(1e-9, ...all) * 1.1;
    const last = (s: ChartSeries) => [...s.values].reverse().find((v): v is number => typeof v === 'number');
    const t0 = this.times[0];
    const t1 = this.times[this.times.length - 1];
    const time = (t: number | undefined) => (t ? new Date(t * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '');
    return html`
      <h3>${this.heading}</h3>
      <svg viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img" aria-label="${this.heading} chart">
        ${[0.25, 0.5, 0.75].map((f) => svg`<line class="grid" x1="0" x2=${W} y1=${H * f} y2=${H * f}></line>`)}
        ${this.series.flatMap((s) => linePaths(s.values, max, W, H).map((p) => svg`<polyline class=${s.cls} points=${p}></polyline>`))}
      </svg>
      <div class="axis"><span>${time(t0)}</span><span>max ${this.format(max)}</span><span>${time(t1)}</span></div>
      <div class="legend">${this.series.map((s) => {
        const v = last(s);
        return html`<span><span class="swatch ${s.cls}"></span>${s.label}: ${v === undefined ? '–' : this.format(v)}</span>`;
      })}</div>`;
  }
}
customElements.define('st-chart', StChart);
