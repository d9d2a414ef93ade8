// The dashboard: remotes up/down with the age of their data, guests and nodes by status,
// backup coverage, the top outliers, recent failed tasks — refreshed on a chosen interval
// or by hand.
import { LitElement, css, html, nothing } from 'lit';
import type { BackupsResult } from '../../../shared/backups.ts';
import { api, errorText } from '../api/client.ts';
import type { RemoteState } from '../api/resources.ts';
import { describeUpid } from '../api/tasks.ts';
import { usageBar } from '../components/st-usage.ts';
import { age, statusClass } from '../lib/format.ts';
import { baseStyles, usageStyles } from '../lib/styles.ts';

const INTERVALS: { label: string; ms: number }[] = [
  { label: 'off', ms: 0 },
  { label: '1 min', ms: 60_000 },
  { label: '5 min', ms: 300_000 },
  { label: '15 min', ms: 900_000 },
  { label: '30 min', ms: 1_800_000 },
];
const INTERVAL_KEY = 'steward.dashboard.refresh';
/** Data older than this many poll intervals is flagged as stale. */
const STALE_FACTOR = 3;

/** Counts per status for one kind of resource: `{total: 15, running: 12, stopped: 3}`. */
type Counts = Record<string, number>;

/** GET /resources/status */
export interface DashboardStatus {
  remotes: { total: number; ok: number; degraded: number; down: number; unknown: number; disabled: number; list: RemoteState[] };
  qemu: Counts;
  lxc: Counts;
  nodes: Counts;
  storages: Counts;
  datastores: Counts;
  'failed-tasks': FailedTask[];
}

interface FailedTask { remote: string; upid: string; node?: string; type?: string; id?: string; user?: string; starttime?: number; endtime?: number; status?: string }

/** GET /resources/backups?summary=1 */
type BackupsSummary = BackupsResult['summary'];

interface TopEntry { remote: string; id: string; type: string; name?: string; node?: string; value: number }
/** GET /resources/top-entities: usage as fractions. */
type TopEntities = Record<'guest-cpu' | 'guest-mem' | 'node-cpu' | 'node-mem' | 'storage', TopEntry[]>;

const KINDS: { key: 'qemu' | 'lxc' | 'nodes' | 'storages' | 'datastores'; type: string; label: string }[] = [
  { key: 'qemu', type: 'qemu', label: 'Virtual machines' },
  { key: 'lxc', type: 'lxc', label: 'Containers' },
  { key: 'nodes', type: 'node', label: 'Nodes' },
  { key: 'storages', type: 'storage', label: 'Storages' },
  { key: 'datastores', type: 'datastore', label: 'Datastores' },
];

const TOP_LABELS: Record<keyof TopEntities, string> = {
  'guest-cpu': 'Guests by CPU', 'guest-mem': 'Guests by memory', 'node-cpu': 'Nodes by CPU', 'node-mem': 'Nodes by memory', storage: 'Fullest storages',
};

export class StViewDashboard extends LitElement {
  static override styles = [
    baseStyles,
    usageStyles,
    css`
      :host { display: block; }
      .head { margin-bottom: 1rem; }
      .head h1 { margin: 0; }
      .head select { width: auto; }
      .tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: 0.75rem; margin-bottom: 1rem; }
      .tile h2 { font-size: 0.85rem; color: var(--st-text-muted); margin-bottom: 0.3rem; }
      .big { font-size: 1.8rem; font-weight: 700; line-height: 1.1; }
      .big.bad { color: var(--st-error); }
      .tile h2 a { color: inherit; }
      .counts { display: flex; gap: 0.4rem; flex-wrap: wrap; margin-top: 0.4rem; }
      .cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(24rem, 100%), 1fr)); gap: 1rem; }
      .list { list-style: none; margin: 0; padding: 0; }
      .list li { display: flex; align-items: center; gap: 0.5rem; padding: 0.35rem 0; border-bottom: 1px solid var(--st-border); }
      .list li:last-child { border-bottom: none; }
      .list .name { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .list .usage { width: 9rem; flex: none; }
      .stale { color: var(--st-warn); font-weight: 600; }
      .empty { margin-bottom: 1rem; }
    `,
  ];

  static override properties = {
    status: { state: true },
    top: { state: true },
    backups: { state: true },
    error: { state: true },
    loading: { state: true },
    interval: { state: true },
    updatedAt: { state: true },
  };

  declare status: DashboardStatus | undefined;
  declare top: TopEntities | undefined;
  declare backups: BackupsSummary | undefined;
  declare error: string | undefined;
  declare loading: boolean;
  declare interval: number;
  declare updatedAt: number | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.loading = false;
    const saved = Number(localStorage.getItem(INTERVAL_KEY) ?? 60_000);
    this.interval = INTERVALS.some((i) => i.ms === saved) ? saved : 60_000;
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

  /**
   * The Backups tile loads on its own, after the rest: its counts come from every remote's
   * backups record, and the dashboard must not wait for them. A failure leaves the tile as
   * it was (the Backups page shows the error).
   */
  private async loadBackups(): Promise<void> {
    try {
      this.backups = (await api.get<BackupsResult>('/resources/backups', { summary: 1 })).summary;
    } catch {
      // kept as it was
    }
  }

  async refresh(): Promise<void> {
    this.loading = true;
    void this.loadBackups();
    // The parts load independently: a failing one must not blank the other.
    const [status, top] = await Promise.allSettled([
      api.get<DashboardStatus>('/resources/status'),
      api.get<TopEntities>('/resources/top-entities', { limit: 8 }),
    ]);
    if (status.status === 'fulfilled') this.status = status.value;
    if (top.status === 'fulfilled') this.top = top.value;
    const failed = [status, top].find((r) => r.status === 'rejected');
    this.error = failed ? errorText(failed.reason) : undefined;
    this.updatedAt = Date.now();
    this.loading = false;
  }

  private renderRemotes(r: DashboardStatus['remotes']) {
    const bad = r.down + r.degraded;
    return html`<section class="card tile" aria-label="Remotes">
      <h2>Remotes</h2>
      <div class="big ${r.down ? 'bad' : ''}">${r.ok} / ${r.total}</div>
      <div class="counts">${bad || r.unknown || r.disabled
        ? (['down', 'degraded', 'unknown', 'disabled'] as const).filter((k) => r[k] > 0).map((k) => html`<span class="badge ${statusClass(k === 'degraded' ? 'warning' : k)}">${r[k]} ${k}</span>`)
        : html`<span class="muted">all reachable</span>`}</div>
    </section>`;
  }

  /** Hidden for a caller who sees no remote's backups; "not read yet" before the first slow refresh. */
  private renderBackups(b: BackupsSummary | undefined) {
    if (!b?.remotes) return nothing;
    const missing = b['not-backed-up'];
    const failed = b['failed-jobs'];
    return html`<section class="card tile" aria-label="Backups">
      <h2><a href="/backups">Backups</a></h2>
      ${b.refreshed === 0
        ? html`<div class="muted">not read yet</div>`
        : html`<div class="big ${missing ? 'bad' : ''}" title="Guests in no backup job">${missing.toLocaleString()}</div>
          <div class="counts">
            <a class="badge ${missing ? 'error' : 'ok'}" href="/backups">${missing === 0 ? 'every guest in a job' : `guest${missing === 1 ? '' : 's'} in no job`}</a>
            ${failed ? html`<a class="badge error" href="/backups">${failed} failed job${failed === 1 ? '' : 's'}</a>` : html`<span class="muted">no failed jobs</span>`}
            ${b.errors ? html`<a class="badge warn" href="/backups">${b.errors} not fetched</a>` : nothing}
          </div>`}
    </section>`;
  }

  private renderCounts(kind: (typeof KINDS)[number], counts: Counts) {
    const total = counts.total ?? 0;
    return html`<section class="card tile" aria-label=${kind.label}>
      <h2>${kind.label}</h2>
      <div class="big">${total.toLocaleString()}</div>
      <div class="counts">${Object.entries(counts).filter(([s, n]) => s !== 'total' && n > 0).map(([s, n]) =>
        html`<a class="badge ${statusClass(s)}" href="/resources?search=${encodeURIComponent(s === 'template' ? `+type:${kind.type} +template:true` : `+type:${kind.type} +status:${s}`)}">${n.toLocaleString()} ${s}</a>`)}</div>
    </section>`;
  }

  private renderRemoteList(remotes: RemoteState[]) {
    return html`<section class="card" aria-label="Remote status">
      <h2>Remote status</h2>
      <ul class="list">${remotes.map((r) => {
        const stale = r.age !== undefined && r.age > STALE_FACTOR * 60;
        return html`<li>
          <span class="badge ${statusClass(r.status === 'ok' ? 'ok' : r.status === 'down' ? 'down' : 'warning')}">${r.status}</span>
          <span class="name"><a href="/remotes/${encodeURIComponent(r.remote)}">${r.remote}</a>
            ${r.error ? html`<span class="muted"> — ${r.error}</span>` : nothing}
            ${r.problems?.length ? html`<span class="muted"> — ${r.problems.join('; ')}</span>` : nothing}</span>
          <span class=${stale ? 'stale' : 'muted'} title="Age of the data shown">${stale ? 'stale: ' : ''}${age(r['last-success'])}</span>
        </li>`;
      })}</ul>
    </section>`;
  }

  private renderTop(top: TopEntities) {
    return (Object.keys(TOP_LABELS) as (keyof TopEntities)[]).filter((k) => top[k]?.length).map((key) => html`
      <section class="card" aria-label=${TOP_LABELS[key]}>
        <h2>${TOP_LABELS[key]}</h2>
        <ul class="list">${top[key].map((e) => {
          const vmid = e.id.split('/')[1];
          const href = (e.type === 'qemu' || e.type === 'lxc') && vmid ? `/remotes/${encodeURIComponent(e.remote)}/${e.type}/${vmid}` : `/resources?search=${encodeURIComponent(`+remote:${e.remote} +id:${e.id}`)}`;
          return html`<li><span class="name"><a href=${href}>${e.name ?? e.id}</a> <span class="muted">${e.remote}${e.node ? ` / ${e.node}` : ''}</span></span>${usageBar(e.value)}</li>`;
        })}</ul>
      </section>`);
  }

  private renderFailedTasks(tasks: FailedTask[]) {
    return html`<section class="card" aria-label="Failed tasks">
      <h2>Failed tasks (last 24 h)</h2>
      ${tasks.length
        ? html`<ul class="list">${tasks.slice(0, 8).map((t) => {
            const d = describeUpid(t.upid);
            return html`<li><span class="badge error">failed</span><span class="name">${d.type ?? t.type} ${d.id ?? t.id ?? ''}
              <span class="muted">${t.remote} ${t.node ?? d.node ?? ''} — ${t.status}</span></span><span class="muted">${age(t.endtime ?? t.starttime)}</span></li>`;
          })}</ul>`
        : html`<p class="muted">No failed tasks.</p>`}
    </section>`;
  }

  override render() {
    const s = this.status;
    const remotes = s?.remotes.list ?? [];
    return html`
      <div class="row head">
        <h1>Dashboard</h1>
        <span class="spacer"></span>
        <span class="muted" role="status">${this.updatedAt ? `updated ${new Date(this.updatedAt).toLocaleTimeString()}` : ''}</span>
        <select aria-label="Auto-refresh interval" @change=${this.onInterval}>
          ${INTERVALS.map((i) => html`<option value=${i.ms} ?selected=${i.ms === this.interval}>Auto-refresh: ${i.label}</option>`)}
        </select>
        <button @click=${this.refresh} ?disabled=${this.loading}>${this.loading ? 'Refreshing…' : 'Refresh'}</button>
      </div>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      ${s
        ? html`<div class="tiles">${this.renderRemotes(s.remotes)}${KINDS.filter((k) => s[k.key]?.total).map((k) => this.renderCounts(k, s[k.key]))}${this.renderBackups(this.backups)}</div>
            ${s.remotes.total === 0 ? html`<div class="card empty"><p>No remotes yet. <a href="/admin/remotes">Add a Proxmox VE cluster or Backup Server</a> to see it here.</p></div>` : nothing}
            <div class="cols">
              ${remotes.length ? this.renderRemoteList(remotes) : nothing}
              ${this.renderFailedTasks(s['failed-tasks'])}
              ${this.top ? this.renderTop(this.top) : nothing}
            </div>`
        : this.loading ? html`<p class="muted">Loading…</p>` : nothing}
    `;
  }
}
customElements.define('st-view-dashboard', StViewDashboard);
