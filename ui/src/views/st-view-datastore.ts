// A PBS datastore's page: usage and its estimated full date, usage history, snapshots.
import { LitElement, css, html, nothing } from 'lit';
import { api, errorText, path } from '../api/client.ts';
import '../components/st-rrd.ts';
import { ratio, usageBar } from '../components/st-usage.ts';
import { age, bytes, dateTime } from '../lib/format.ts';
import { baseStyles, usageStyles } from '../lib/styles.ts';

interface StoreStatus { store: string; total?: number; used?: number; avail?: number; 'estimated-full-date'?: number; status?: string; age?: number }
interface Snapshot { 'backup-type': string; 'backup-id': string; 'backup-time': number; size?: number; owner?: string; comment?: string; verification?: { state: string }; protected?: boolean }

/** Snapshots listed on the page; the rest are counted. */
const MAX_SHOWN = 500;

export class StViewDatastore extends LitElement {
  static override styles = [baseStyles, usageStyles, css`
    :host { display: block; }
    .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(24rem, 100%), 1fr)); gap: 1rem; margin-top: 1rem; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.35rem 1rem; margin: 0; }
    dt { color: var(--st-text-muted); }
    dd { margin: 0; }
    .wide { grid-column: 1 / -1; }
  `];
  static override properties = { params: { attribute: false }, status: { state: true }, snapshots: { state: true }, error: { state: true } };
  declare params: { remote: string; store: string };
  declare status: StoreStatus | undefined;
  declare snapshots: Snapshot[] | undefined;
  declare error: string | undefined;

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('params') && this.params) void this.load();
  }

  private async load(): Promise<void> {
    const { remote, store } = this.params;
    const [status, snaps] = await Promise.allSettled([
      api.get<StoreStatus>(path`/pbs/remotes/${remote}/datastore/${store}/status`),
      api.get<Snapshot[]>(path`/pbs/remotes/${remote}/datastore/${store}/snapshots`),
    ]);
    this.status = status.status === 'fulfilled' ? status.value : undefined;
    this.snapshots = snaps.status === 'fulfilled' ? snaps.value.sort((a, b) => b['backup-time'] - a['backup-time']) : undefined;
    const failed = [status, snaps].find((r) => r.status === 'rejected');
    this.error = failed ? errorText(failed.reason) : undefined;
  }

  override render() {
    const { remote, store } = this.params;
    const s = this.status;
    const snaps = this.snapshots ?? [];
    return html`<h1>Datastore ${store}</h1>
      <p class="muted">on <a href="/remotes/${encodeURIComponent(remote)}">${remote}</a></p>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      <div class="grid">
        <section class="card" aria-label="Usage">
          <h2>Usage</h2>
          <dl>
            <dt>Used</dt><dd>${usageBar(ratio(s?.used, s?.total), 'Used')} <span class="muted">${bytes(s?.used)} of ${bytes(s?.total)}</span></dd>
            <dt>Available</dt><dd>${bytes(s?.avail)}</dd>
            <dt>Full by</dt><dd>${s?.['estimated-full-date'] ? dateTime(s['estimated-full-date']) : 'not foreseeable'}</dd>
            <dt>Data from</dt><dd>${s?.age !== undefined ? age(Date.now() / 1000 - s.age) : '–'}</dd>
          </dl>
        </section>
        <st-rrd kind="datastore" url=${path`/pbs/remotes/${remote}/datastore/${store}/rrddata`}></st-rrd>
        <section class="card table-wrap wide" aria-label="Snapshots">
          <h2>Snapshots <span class="muted">(${snaps.length.toLocaleString()})</span></h2>
          <table class="data"><thead><tr><th>Backup</th><th>Time</th><th>Size</th><th>Verified</th><th>Owner</th></tr></thead>
            <tbody>${snaps.slice(0, MAX_SHOWN).map((x) => html`<tr>
              <td class="mono">${x['backup-type']}/${x['backup-id']}${x.protected ? ' 🔒' : ''}</td><td>${dateTime(x['backup-time'])}</td><td>${bytes(x.size)}</td>
              <td>${x.verification ? html`<span class="badge ${x.verification.state === 'ok' ? 'ok' : 'error'}">${x.verification.state}</span>` : html`<span class="muted">no</span>`}</td>
              <td>${x.owner ?? ''}</td></tr>`)}</tbody></table>
          ${snaps.length > MAX_SHOWN ? html`<p class="muted">Showing the newest ${MAX_SHOWN}.</p>` : nothing}
        </section>
      </div>`;
  }
}
customElements.define('st-view-datastore', StViewDatastore);
