// The dashboard: remotes up/down, guests and nodes by status, outliers, failed tasks,
// stale data — refreshed on a chosen interval or by hand.
import { LitElement, css, html, nothing } from 'lit';
import { api, errorText } from '../api/client.ts';
import { baseStyles } from '../lib/styles.ts';

const INTERVALS: { label: string; ms: number }[] = [
  { label: 'Off', ms: 0 },
  { label: '1 min', ms: 60_000 },
  { label: '5 min', ms: 300_000 },
  { label: '15 min', ms: 900_000 },
  { label: '30 min', ms: 1_800_000 },
];
const INTERVAL_KEY = 'steward.dashboard.refresh';

export class StViewDashboard extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: block; }
      .head { margin-bottom: 1rem; }
      .head h1 { margin: 0; }
    `,
  ];

  static override properties = {
    status: { state: true },
    error: { state: true },
    loading: { state: true },
    interval: { state: true },
  };

  declare status: unknown;
  declare error: string | undefined;
  declare loading: boolean;
  declare interval: number;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.loading = false;
    this.interval = Number(localStorage.getItem(INTERVAL_KEY) ?? 60_000);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
    this.schedule();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  private schedule(): void {
    clearInterval(this.timer);
    if (this.interval > 0) this.timer = setInterval(() => void this.refresh(), this.interval);
  }

  private onInterval(ev: Event): void {
    this.interval = Number((ev.target as HTMLSelectElement).value);
    localStorage.setItem(INTERVAL_KEY, String(this.interval));
    this.schedule();
  }

  async refresh(): Promise<void> {
    this.loading = true;
    try {
      this.status = await api.get('/resources/status');
      this.error = undefined;
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.loading = false;
    }
  }

  override render() {
    return html`
      <div class="row head">
        <h1>Dashboard</h1>
        <span class="spacer"></span>
        <label class="visually-hidden" for="interval">Auto-refresh</label>
        <select id="interval" aria-label="Auto-refresh interval" @change=${this.onInterval}>
          ${INTERVALS.map((i) => html`<option value=${i.ms} ?selected=${i.ms === this.interval}>Refresh: ${i.label}</option>`)}
        </select>
        <button @click=${this.refresh} ?disabled=${this.loading}>${this.loading ? 'Refreshing…' : 'Refresh'}</button>
      </div>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
    `;
  }
}
customElements.define('st-view-dashboard', StViewDashboard);
