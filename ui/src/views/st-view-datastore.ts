// A PBS datastore's page: usage and its estimated full date, usage history, and the snapshots
// of one namespace (`?ns=`, the root by default), chosen among those PBS lists. A caller whose
// credential PBS refuses the root is moved to the first namespace PBS lists to it.
import { LitElement, css, html, nothing } from 'lit';
import { ApiRequestError, api, errorText, path } from '../api/client.ts';
import '../components/st-rrd.ts';
import { ratio, usageBar } from '../components/st-usage.ts';
import { age, bytes, dateTime } from '../lib/format.ts';
import { setQuery } from '../lib/router.ts';
import { baseStyles, detailStyles, usageStyles } from '../lib/styles.ts';

interface StoreStatus { store: string; total?: number; used?: number; avail?: number; 'estimated-full-date'?: number; status?: string; age?: number }
interface Namespace { ns: string; comment?: string }
interface Snapshot { 'backup-type': string; 'backup-id': string; 'backup-time': number; size?: number; owner?: string; comment?: string; verification?: { state: string }; protected?: boolean }

/** Snapshots listed on the page; the rest are counted. */
const MAX_SHOWN = 500;

export class StViewDatastore extends LitElement {
  static override styles = [baseStyles, usageStyles, detailStyles, css`
    .row h2 { margin: 0; }
    .row label { display: inline; margin: 0; }
    .row select { width: auto; max-width: 100%; }
    .head { margin-bottom: 0.75rem; }
  `];
  static override properties = {
    params: { attribute: false }, query: { attribute: false }, status: { state: true }, namespaces: { state: true }, nsError: { state: true },
    ns: { state: true }, snapshots: { state: true }, snapError: { state: true }, error: { state: true },
  };
  declare params: { remote: string; store: string };
  declare query: URLSearchParams | undefined;
  declare status: StoreStatus | undefined;
  declare namespaces: Namespace[] | undefined;
  declare nsError: string | undefined;
  /** The namespace whose snapshots are listed; `` is the root. */
  declare ns: string;
  declare snapshots: Snapshot[] | undefined;
  declare snapError: string | undefined;
  declare error: string | undefined;
  /** The datastore loaded (`remote/store`): another one reloads everything, another namespace only its snapshots. */
  private loadedFor: string | undefined;
  /** Counts snapshot loads, so that a slow answer for a namespace left meanwhile is dropped. */
  private snapSeq = 0;
  /** The namespace list of the datastore loaded, settled or not (undefined if it failed): the root's refusal waits for it. */
  private nsList: Promise<Namespace[] | undefined> | undefined;

  constructor() {
    super();
    this.ns = '';
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (!(changed.has('params') || changed.has('query')) || !this.params) return;
    const ns = this.query?.get('ns') ?? '';
    // Only an address naming no namespace may be moved to another one: `?ns=` is the root, asked for.
    const moveIfRefused = !this.query?.has('ns');
    const at = `${this.params.remote}/${this.params.store}`;
    if (at !== this.loadedFor) {
      this.loadedFor = at;
      this.ns = ns;
      void this.load();
      void this.loadSnapshots(moveIfRefused);
    } else if (ns !== this.ns) {
      this.ns = ns;
      void this.loadSnapshots(moveIfRefused);
    }
  }

  private async load(): Promise<void> {
    const { remote, store } = this.params;
    const at = this.loadedFor;
    const nsList = api.get<Namespace[]>(path`/pbs/remotes/${remote}/datastore/${store}/namespaces`);
    this.nsList = nsList.catch(() => undefined);
    const [status, namespaces] = await Promise.allSettled([
      api.get<StoreStatus>(path`/pbs/remotes/${remote}/datastore/${store}/status`),
      nsList,
    ]);
    // Another datastore was opened meanwhile: its own load shows it.
    if (at !== this.loadedFor) return;
    this.status = status.status === 'fulfilled' ? status.value : undefined;
    this.error = status.status === 'rejected' ? errorText(status.reason) : undefined;
    this.namespaces = namespaces.status === 'fulfilled' ? namespaces.value : undefined;
    this.nsError = namespaces.status === 'rejected' ? errorText(namespaces.reason) : undefined;
  }

  /**
   * Lists the snapshots of `this.ns`. With `moveIfRefused`, a root namespace PBS refuses to the
   * caller's credential (a token limited to some namespaces) is left for the first namespace PBS
   * lists to it, as its own UI does: the page opens on snapshots the user may see, not a refusal.
   */
  private async loadSnapshots(moveIfRefused = false): Promise<void> {
    const { remote, store } = this.params;
    const ns = this.ns;
    const seq = ++this.snapSeq;
    this.snapshots = undefined;
    this.snapError = undefined;
    try {
      const list = await api.get<Snapshot[]>(path`/pbs/remotes/${remote}/datastore/${store}/snapshots`, ns ? { ns } : undefined);
      if (seq === this.snapSeq) this.snapshots = list.sort((a, b) => b['backup-time'] - a['backup-time']);
    } catch (err) {
      if (seq !== this.snapSeq) return;
      const refused = err instanceof ApiRequestError && err.code === 'remote_forbidden';
      if (!refused) {
        this.snapError = errorText(err);
        return;
      }
      if (moveIfRefused && ns === '') {
        const first = (await this.nsList)?.find((n) => n.ns !== '')?.ns;
        if (seq !== this.snapSeq) return;
        if (first !== undefined) {
          this.ns = first;
          // Replaced, not pushed: Back must not return to the refused root and be moved again.
          setQuery({ ns: first });
          void this.loadSnapshots();
          return;
        }
        this.snapError = `The Backup Server lets you list no snapshots of datastore ${store}: it refuses you the root namespace and lists no namespace of it you may read (${errorText(err)}).`;
        return;
      }
      this.snapError = `The Backup Server does not let you list the snapshots of ${ns ? `namespace ${ns}` : 'the root namespace'} (${errorText(err)}).`;
    }
  }

  private onNamespace(ev: Event): void {
    this.ns = (ev.target as HTMLSelectElement).value;
    // The address names the namespace (links and reloads keep it); no new page, so focus stays here.
    setQuery({ ns: this.ns || undefined });
    void this.loadSnapshots();
  }

  /** Root first, then PBS's order; the namespace shown is always offered, listed or not. */
  private namespaceOptions() {
    const names = [...new Set(['', ...(this.namespaces ?? []).map((n) => n.ns), this.ns])];
    const comment = (ns: string) => this.namespaces?.find((n) => n.ns === ns)?.comment;
    return names.map((ns) => html`<option value=${ns} ?selected=${ns === this.ns}>${ns === '' ? 'Root namespace' : ns}${comment(ns) ? ` — ${comment(ns)}` : ''}</option>`);
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
          <div class="row head"><h2>Snapshots <span class="muted">(${this.snapshots ? snaps.length.toLocaleString() : '…'})</span></h2><span class="spacer"></span>
            <label for="ns">Namespace</label><select id="ns" @change=${this.onNamespace}>${this.namespaceOptions()}</select></div>
          ${this.nsError ? html`<p class="muted">The namespaces could not be listed: ${this.nsError}</p>` : nothing}
          ${this.snapError ? html`<div class="error-box" role="alert">${this.snapError}</div>` : nothing}
          <table class="data" aria-label=${this.ns ? `Snapshots in namespace ${this.ns}` : 'Snapshots in the root namespace'}><thead><tr><th>Backup</th><th>Time</th><th>Size</th><th>Verified</th><th>Owner</th></tr></thead>
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
