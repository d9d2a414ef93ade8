// The dashboard: remotes up/down with the age of their data, guests and nodes by status,
// the top outliers, recent failed tasks — refreshed on a chosen interval or by hand.
import { LitElement, css, html, nothing } from 'lit';
import { api, errorText } from '../api/client.ts';
import type { RemoteState } from '../api/resources.ts';
import { describeUpid, recentTasks, taskFailed } from '../api/tasks.ts';
import type { TaskListEntry } from '../api/tasks.ts';
import { ratio, usageBar } from '../components/st-usage.ts';
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

/** Counts per status for one kind of resource: `{running: 12, stopped: 3}`. */
type Counts = Record<string, number>;

export interface DashboardStatus {
  remotes?: RemoteState[];
  /** Per resource kind (qemu, lxc, node, storage, datastore…), counts by status. */
  counts?: Record<string, Counts>;
  [k: string]: unknown;
}

interface TopEntry { remote: string; id: string; name?: string; node?: string; type?: string; value?: number; cpu?: number; mem?: number; maxmem?: number; disk?: number; maxdisk?: number }
type TopEntities = Record<string, TopEntry[]>;

const KIND_LABELS: Record<string, string> = { qemu: 'Virtual machines', lxc: 'Containers', node: 'Nodes', storage: 'Storages', datastore: 'Datastores' };

/** Reads `counts` whether the API nests them under `counts` or puts each kind at the top level. */
export function countsOf(status: DashboardStatus): Record<string, Counts> {
  if (status.counts) return status.counts;
  const out: Record<string, Counts> = {};
  for (const [k, v] of Object.entries(status)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((n) => typeof n === 'number')) out[k] = v as Counts;
  }
  return out;
}

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
      .counts { display: flex; gap: 0.4rem; flex-wrap: wrap; margin-top: 0.4rem; }
      .cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(24rem, 100%), 1fr)); gap: 1rem; }
      .list { list-style: none; margin: 0; padding: 0; }
      .list li { display: flex; align-items: center; gap: 0.5rem; padding: 0.35rem 0; border-bottom: 1px solid var(--st-border); }
      .list li:last-child { border-bottom: none; }
      .list .name { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .list .usage { width: 9rem; flex: none; }
      .stale { color: var(--st-warn); font-weight: 600; }
    `,
  ];

  static override properties = {
    status: { state: true },
    top: { state: true },
    tasks: { state: true },
    error: { state: true },
    loading: { state: true },
    interval: { state: true },
    updatedAt: { state: true },
  };

  declare status: DashboardStatus | undefined;
  declare top: TopEntities | undefined;
  declare tasks: TaskListEntry[];
  declare error: string | undefined;
  declare loading: boolean;
  declare interval: number;
  declare updatedAt: number | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.loading = false;
    this.tasks = [];
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

  async refresh(): Promise<void> {
    this.loading = true;
    // The three parts load independently: a failing one must not blank the others.
    const [status, top, tasks] = await Promise.allSettled([
      api.get<DashboardStatus>('/resources/status'),
      api.get<TopEntities>('/resources/top-entities'),
      recentTasks(),
    ]);
    if (status.status === 'fulfilled') this.status = status.value;
    if (top.status === 'fulfilled') this.top = top.value;
    if (tasks.status === 'fulfilled') this.tasks = tasks.value;
    const failed = [status, top, tasks].find((r) => r.status === 'rejected');
    this.error = failed ? errorText(failed.reason) : undefined;
    this.updatedAt = Date.now();
    this.loading = false;
  }

  private renderRemotes(remotes: RemoteState[]) {
    const down = remotes.filter((r) => r.status === 'down').length;
    return html`<section class="card tile" aria-label="Remotes">
      <h2>Remotes</h2>
      <div class="big ${down ? 'bad' : ''}">${remotes.length - down} / ${remotes.length}</div>
      <div class="muted">${down ? `${down} down` : 'all reachable'}</div>
    </section>`;
  }

  private renderCounts(kind: string, counts: Counts) {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    return html`<section class="card tile" aria-label=${KIND_LABELS[kind] ?? kind}>
      <h2>${KIND_LABELS[kind] ?? kind}</h2>
      <div class="big">${total.toLocaleString()}</div>
      <div class="counts">${Object.entries(counts).filter(([, n]) => n > 0).map(([s, n]) =>
        html`<a class="badge ${statusClass(s)}" href="/resources?search=${encodeURIComponent(`+type:${kind} +status:${s}`)}">${n.toLocaleString()} ${s}</a>`)}</div>
    </section>`;
  }

  private renderRemoteList(remotes: RemoteState[]) {
    return html`<section class="card" aria-label="Remote status">
      <h2>Remote status</h2>
      <ul class="list">${remotes.map((r) => {
        const stale = r.age !== undefined && r.age > STALE_FACTOR * 60;
        return html`<li>
          <span class="badge ${statusClass(r.status === 'ok' ? 'ok' : r.status === 'down' ? 'down' : 'warning')}">${r.status}</span>
          <span class="name"><a href="/resources?search=${encodeURIComponent(`remote:${r.remote}`)}">${r.remote}</a>
            ${r.error ? html`<span class="muted"> — ${r.error}</span>` : nothing}
            ${r.problems?.length ? html`<span class="muted"> — ${r.problems.join('; ')}</span>` : nothing}</span>
          <span class=${stale ? 'stale' : 'muted'} title="Age of the data shown">${stale ? 'stale: ' : ''}${age(r['last-success'])}</span>
        </li>`;
      })}</ul>
    </section>`;
  }

  private renderTop(top: TopEntities) {
    const label: Record<string, string> = { guest_cpu: 'Guests by CPU', guest_mem: 'Guests by memory', node_cpu: 'Nodes by CPU', node_mem: 'Nodes by memory', node_memory: 'Nodes by memory', storage: 'Storage by usage', disk: 'Storage by usage' };
    return Object.entries(top).filter(([, list]) => Array.isArray(list) && list.length).map(([key, list]) => html`
      <section class="card" aria-label=${label[key] ?? key}>
        <h2>${label[key] ?? key.replace(/[_-]/g, ' ')}</h2>
        <ul class="list">${list.slice(0, 8).map((e) => {
          const value = e.value ?? (/mem/.test(key) ? ratio(e.mem, e.maxmem) : /disk|storage/.test(key) ? ratio(e.disk, e.maxdisk) : e.cpu);
          const href = e.type === 'qemu' || e.type === 'lxc' ? `/remotes/${encodeURIComponent(e.remote)}/${e.type}/${e.id.split('/').pop()}` : `/resources?search=${encodeURIComponent(`remote:${e.remote} id:${e.id}`)}`;
          return html`<li><span class="name"><a href=${href}>${e.name ?? e.id}</a> <span class="muted">${e.remote}${e.node ? ` / ${e.node}` : ''}</span></span>${usageBar(value)}</li>`;
        })}</ul>
      </section>`);
  }

  private renderFailedTasks() {
    const failed = this.tasks.filter(taskFailed).slice(0, 8);
    return html`<section class="card" aria-label="Failed tasks">
      <h2>Recent failed tasks</h2>
      ${failed.length
        ? html`<ul class="list">${failed.map((t) => {
            const d = describeUpid(t.upid);
            return html`<li><span class="badge error">failed</span><span class="name">${d.type ?? t.type} ${d.id ?? ''}
              <span class="muted">${t.remote ?? ''} ${d.node ?? ''} — ${t.exitstatus}</span></span><span class="muted">${age(t.starttime)}</span></li>`;
          })}</ul>`
        : html`<p class="muted">No failed tasks.</p>`}
    </section>`;
  }

  override render() {
    const s = this.status;
    const remotes = s?.remotes ?? [];
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
        ? html`<div class="tiles">${this.renderRemotes(remotes)}${Object.entries(countsOf(s)).map(([k, c]) => this.renderCounts(k, c))}</div>
            <div class="cols">
              ${remotes.length ? this.renderRemoteList(remotes) : nothing}
              ${this.renderFailedTasks()}
              ${this.top ? this.renderTop(this.top) : nothing}
            </div>`
        : this.loading ? html`<p class="muted">Loading…</p>` : nothing}
    `;
  }
}
customElements.define('st-view-dashboard', StViewDashboard);
