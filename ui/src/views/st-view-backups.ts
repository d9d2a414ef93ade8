// Backups across remotes (GET /resources/backups): the guests no backup job includes, the
// last results of the PBS jobs with failures first, the PVE backup jobs, the PBS backup
// groups — and per remote how old that data is and which items could not be fetched.
import { LitElement, css, html, nothing } from 'lit';
import type { BackupRemote, BackupsResult, PbsJobResult, PveBackupJob } from '../../../shared/backups.ts';
import { api, errorText } from '../api/client.ts';
import { age, dateTime } from '../lib/format.ts';
import { baseStyles } from '../lib/styles.ts';

/** Rows listed per table; the rest are counted. */
const MAX_SHOWN = 500;

const KIND_LABEL: Record<PbsJobResult['kind'], string> = { gc: 'Garbage collection', verify: 'Verify', prune: 'Prune', sync: 'Sync' };

/** The datastore's page, opened in the group's namespace. */
function storeHref(remote: string, store: string, ns: string | undefined): string {
  return `/remotes/${encodeURIComponent(remote)}/datastore/${encodeURIComponent(store)}${ns ? `?ns=${encodeURIComponent(ns)}` : ''}`;
}

function selection(j: PveBackupJob): string {
  const where = j.node ? ` on ${j.node}` : '';
  if (j.all) return `all guests${j.exclude?.length ? ` except ${j.exclude.join(', ')}` : ''}${where}`;
  if (j.pool) return `pool ${j.pool}${where}`;
  return `${j.vmid?.length ? j.vmid.join(', ') : 'no guests'}${where}`;
}

function runState(j: PbsJobResult) {
  if (j['last-run-state'] === undefined) return html`<span class="muted">not run yet</span>`;
  if (j.failed) return html`<span class="badge error">failed</span> <span class="reason">${j['last-run-state']}</span>`;
  return html`<span class="badge ${j['last-run-state'] === 'OK' ? 'ok' : 'warn'}">${j['last-run-state']}</span>`;
}

export class StViewBackups extends LitElement {
  static override styles = [baseStyles, css`
    :host { display: block; }
    .head { margin-bottom: 1rem; }
    .head h1 { margin: 0; }
    .tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 0.75rem; margin-bottom: 1rem; }
    .tile h2 { font-size: 0.85rem; color: var(--st-text-muted); margin-bottom: 0.3rem; }
    .big { font-size: 1.8rem; font-weight: 700; line-height: 1.1; }
    .big.bad { color: var(--st-error); }
    .stack { display: grid; gap: 1rem; }
    tr.failed td { background: var(--st-error-bg); }
    .reason { color: var(--st-text); }
    .list { list-style: none; margin: 0; padding: 0; }
    .list li { padding: 0.35rem 0; border-bottom: 1px solid var(--st-border); }
    .list li:last-child { border-bottom: none; }
    .problem { color: var(--st-warn); font-weight: 600; }
  `];
  static override properties = { data: { state: true }, error: { state: true }, loading: { state: true } };
  declare data: BackupsResult | undefined;
  declare error: string | undefined;
  declare loading: boolean;

  constructor() {
    super();
    this.loading = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.data = await api.get<BackupsResult>('/resources/backups');
      this.error = undefined;
    } catch (err) {
      this.error = errorText(err);
    }
    this.loading = false;
  }

  private renderFreshness(remotes: BackupRemote[]) {
    return html`<section class="card" aria-label="Data per remote">
      <h2>Data per remote</h2>
      <ul class="list">${remotes.map((r) => html`<li>
        <a href="/remotes/${encodeURIComponent(r.remote)}">${r.remote}</a>
        <span class="muted">(${r.type === 'pve' ? 'Proxmox VE' : 'Backup Server'}) — backup data ${r.time ? `from ${age(r.time)}` : 'not fetched yet'}${r.state.status !== 'ok' ? `; remote ${r.state.status}` : ''}</span>
        ${r.errors.map((e) => html`<div class="problem">${e.item}: ${e.error} — ${e['last-success'] ? `showing the list from ${age(e['last-success'])}` : 'never fetched'}</div>`)}
        ${r.truncated?.length ? html`<div class="muted">cut to the first entries: ${r.truncated.join(', ')}</div>` : nothing}
      </li>`)}</ul>
    </section>`;
  }

  private renderNotBackedUp(remotes: BackupRemote[]) {
    const rows = remotes.flatMap((r) => (r['not-backed-up'] ?? []).map((g) => ({ remote: r.remote, ...g })));
    return html`<section class="card table-wrap" aria-label="Guests not backed up">
      <h2>Guests not backed up <span class="muted">(${rows.length.toLocaleString()})</span></h2>
      ${rows.length
        ? html`<table class="data" aria-label="Guests in no backup job"><thead><tr><th>Remote</th><th>Guest</th><th>Name</th><th>Type</th></tr></thead>
          <tbody>${rows.slice(0, MAX_SHOWN).map((g) => html`<tr>
            <td>${g.remote}</td>
            <td><a href="/remotes/${encodeURIComponent(g.remote)}/${g.type}/${g.vmid}">${g.vmid}</a></td>
            <td>${g.name ?? ''}</td><td>${g.type === 'qemu' ? 'VM' : 'container'}</td></tr>`)}</tbody></table>
          ${rows.length > MAX_SHOWN ? html`<p class="muted">Showing the first ${MAX_SHOWN}.</p>` : nothing}`
        : html`<p class="muted">Every guest is in a backup job.</p>`}
    </section>`;
  }

  private renderJobResults(remotes: BackupRemote[]) {
    if (!remotes.some((r) => r.type === 'pbs')) return nothing;
    // (a sync job's own `remote` is the host it pulls from, so the Steward remote goes beside it)
    const rows = remotes.flatMap((r) => (r['job-results'] ?? []).map((job) => ({ at: r.remote, job })));
    // Failures first, then by remote and store.
    rows.sort((a, b) => Number(b.job.failed) - Number(a.job.failed) || a.at.localeCompare(b.at) || a.job.store.localeCompare(b.job.store));
    return html`<section class="card table-wrap" aria-label="Backup Server jobs">
      <h2>Backup Server jobs</h2>
      ${rows.length
        ? html`<table class="data" aria-label="Last runs of the Backup Server jobs"><thead><tr><th>Remote</th><th>Datastore</th><th>Job</th><th>Last run</th><th>Ended</th><th>Next run</th></tr></thead>
          <tbody>${rows.slice(0, MAX_SHOWN).map(({ at, job: j }) => html`<tr class=${j.failed ? 'failed' : ''}>
            <td>${at}</td>
            <td><a href="/remotes/${encodeURIComponent(at)}/datastore/${encodeURIComponent(j.store)}">${j.store}</a></td>
            <td>${KIND_LABEL[j.kind]}${j.kind === 'gc' ? nothing : html` <span class="mono">${j.id}</span>`}${j.kind === 'sync' && j['remote-store'] ? html` <span class="muted">from ${j.remote ? `${j.remote}:` : ''}${j['remote-store']}</span>` : nothing}</td>
            <td>${runState(j)}</td>
            <td>${dateTime(j['last-run-endtime'])}</td><td>${dateTime(j['next-run'])}</td></tr>`)}</tbody></table>`
        : html`<p class="muted">No jobs.</p>`}
    </section>`;
  }

  private renderJobs(remotes: BackupRemote[]) {
    const rows = remotes.flatMap((r) => (r.jobs ?? []).map((j) => ({ remote: r.remote, ...j })));
    if (!remotes.some((r) => r.type === 'pve')) return nothing;
    return html`<section class="card table-wrap" aria-label="Backup jobs">
      <h2>Backup jobs</h2>
      ${rows.length
        ? html`<table class="data" aria-label="Backup jobs of the Proxmox VE remotes"><thead><tr><th>Remote</th><th>Job</th><th>Guests</th><th>Schedule</th><th>Storage</th><th>Next run</th></tr></thead>
          <tbody>${rows.slice(0, MAX_SHOWN).map((j) => html`<tr>
            <td>${j.remote}</td>
            <td><span class="mono">${j.id}</span>${j.comment ? html` <span class="muted">${j.comment}</span>` : nothing}${j.enabled ? nothing : html` <span class="badge warn">disabled</span>`}</td>
            <td>${selection(j)}</td><td>${j.schedule ?? ''}</td><td>${j.storage ?? ''}</td><td>${j.enabled ? dateTime(j['next-run']) : '–'}</td></tr>`)}</tbody></table>`
        : html`<p class="muted">No backup jobs.</p>`}
    </section>`;
  }

  private renderGroups(remotes: BackupRemote[]) {
    const rows = remotes.flatMap((r) => (r.groups ?? []).map((g) => ({ remote: r.remote, ...g })));
    if (!remotes.some((r) => r.type === 'pbs')) return nothing;
    rows.sort((a, b) => (a['last-backup'] ?? 0) - (b['last-backup'] ?? 0));
    return html`<section class="card table-wrap" aria-label="Backup groups">
      <h2>Backup groups <span class="muted">(${rows.length.toLocaleString()}, oldest last backup first)</span></h2>
      ${rows.length
        ? html`<table class="data" aria-label="Backup groups on the Backup Servers"><thead><tr><th>Remote</th><th>Datastore</th><th>Namespace</th><th>Group</th><th>Comment</th><th>Snapshots</th><th>Last backup</th></tr></thead>
          <tbody>${rows.slice(0, MAX_SHOWN).map((g) => html`<tr>
            <td>${g.remote}</td><td><a href=${storeHref(g.remote, g.store, g.ns)}>${g.store}</a></td><td class="mono">${g.ns ?? html`<span class="muted">root</span>`}</td><td class="mono">${g['backup-type']}/${g['backup-id']}</td><td>${g.comment ?? ''}</td>
            <td>${g['backup-count'] ?? ''}</td><td>${g['last-backup'] ? `${dateTime(g['last-backup'])} (${age(g['last-backup'])})` : '–'}</td></tr>`)}</tbody></table>
          ${rows.length > MAX_SHOWN ? html`<p class="muted">Showing the first ${MAX_SHOWN}.</p>` : nothing}`
        : html`<p class="muted">No backup groups.</p>`}
    </section>`;
  }

  override render() {
    const d = this.data;
    return html`
      <div class="row head">
        <h1>Backups</h1>
        <span class="spacer"></span>
        <button @click=${this.load} ?disabled=${this.loading}>${this.loading ? 'Refreshing…' : 'Refresh'}</button>
      </div>
      <p class="muted">From each remote's slow refresh (its slow interval, or Refresh now on the remote's page).</p>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      ${d
        ? d.remotes.length === 0
          ? html`<div class="card"><p>No remotes to show.</p></div>`
          : html`<div class="tiles">
              <section class="card tile" aria-label="Not backed up"><h2>Guests not backed up</h2><div class="big ${d.summary['not-backed-up'] ? 'bad' : ''}">${d.summary['not-backed-up']}</div></section>
              <section class="card tile" aria-label="Failed jobs"><h2>Failed jobs</h2><div class="big ${d.summary['failed-jobs'] ? 'bad' : ''}">${d.summary['failed-jobs']}</div></section>
              <section class="card tile" aria-label="Fetch errors"><h2>Items not fetched</h2><div class="big">${d.summary.errors}</div></section>
            </div>
            <div class="stack">
              ${this.renderNotBackedUp(d.remotes)}
              ${this.renderJobResults(d.remotes)}
              ${this.renderJobs(d.remotes)}
              ${this.renderGroups(d.remotes)}
              ${this.renderFreshness(d.remotes)}
            </div>`
        : this.loading ? html`<p class="muted">Loading…</p>` : nothing}
    `;
  }
}
customElements.define('st-view-backups', StViewBackups);
