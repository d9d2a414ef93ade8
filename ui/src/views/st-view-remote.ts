// A remote's page: health with the age of its data and each endpoint's state, a refresh-now
// button, its nodes, its recent tasks, and a link to its resources.
import { LitElement, css, html, nothing } from 'lit';
import { api, errorText, path } from '../api/client.ts';
import { listResources } from '../api/resources.ts';
import type { RemoteState, Resource } from '../api/resources.ts';
import { session } from '../api/session.ts';
import '../components/st-task-table.ts';
import { ratio, usageBar } from '../components/st-usage.ts';
import { age, duration, statusClass } from '../lib/format.ts';
import { notify, notifyError } from '../lib/notify.ts';
import { baseStyles, detailStyles, usageStyles } from '../lib/styles.ts';

interface RemoteStatus extends RemoteState {
  endpoints: { host: string; port: number; 'changed-fingerprint'?: string; error?: string }[];
}

export class StViewRemote extends LitElement {
  static override styles = [baseStyles, usageStyles, detailStyles, css`
    .head h1 { margin: 0; }
    td .usage { min-width: 8rem; }
  `];

  static override properties = {
    params: { attribute: false },
    status: { state: true },
    nodes: { state: true },
    error: { state: true },
    refreshing: { state: true },
  };

  declare params: { remote: string };
  declare status: RemoteStatus | undefined;
  declare nodes: Resource[];
  declare error: string | undefined;
  declare refreshing: boolean;

  constructor() {
    super();
    this.nodes = [];
    this.refreshing = false;
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('params') && this.params) void this.load();
  }

  private async load(): Promise<void> {
    try {
      const [status, nodes] = await Promise.all([
        api.get<RemoteStatus>(path`/remotes/${this.params.remote}/status`),
        listResources({ search: `+remote:${this.params.remote} +type:node`, limit: 1000, sort: 'name' }),
      ]);
      this.status = status;
      this.nodes = nodes.resources;
      this.error = undefined;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private async refresh(): Promise<void> {
    this.refreshing = true;
    try {
      this.status = await api.post<RemoteStatus>(path`/remotes/${this.params.remote}/refresh`);
      notify('ok', `${this.params.remote} refreshed`);
      await this.load();
    } catch (err) {
      notifyError(err, `Refreshing ${this.params.remote} failed`);
    } finally {
      this.refreshing = false;
    }
  }

  override render() {
    const s = this.status;
    const r = this.params.remote;
    return html`
      <div class="row head"><h1>Remote ${r}</h1>
        ${s ? html`<span class="badge ${statusClass(s.status === 'degraded' ? 'warning' : s.status)}" aria-label="Remote status">${s.status}</span>` : nothing}
        <span class="spacer"></span>
        <a class="button" href="/resources?search=${encodeURIComponent(`remote:${r}`)}">Resources</a>
        ${session.can(`/remotes/${r}`, 'manage')
          ? html`<button @click=${this.refresh} ?disabled=${this.refreshing}>${this.refreshing ? 'Refreshing…' : 'Refresh now'}</button>`
          : nothing}
      </div>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      ${s?.error ? html`<div class="error-box" role="alert">${s.error}</div>` : nothing}
      <div class="grid">
        <section class="card" aria-label="Health">
          <h2>Health</h2>
          <dl>
            <dt>Type</dt><dd>${s?.type?.toUpperCase() ?? ''}</dd>
            <dt>Data from</dt><dd>${age(s?.['last-success'])}</dd>
            ${s?.problems?.length ? html`<dt>Problems</dt><dd>${s.problems.join('; ')}</dd>` : nothing}
          </dl>
          <h3>Endpoints</h3>
          <ul>${s?.endpoints.map((e) => html`<li><span class="mono">${e.host}:${e.port}</span>
            ${e['changed-fingerprint'] ? html`<span class="badge error">certificate changed</span> <span class="mono">${e['changed-fingerprint']}</span>` : nothing}
            ${e.error ? html`<span class="muted"> — ${e.error}</span>` : nothing}</li>`)}</ul>
        </section>
        <section class="card table-wrap" aria-label="Nodes">
          <h2>Nodes</h2>
          <table class="data">
            <thead><tr><th>Node</th><th>Status</th><th>CPU</th><th>Memory</th><th>Uptime</th></tr></thead>
            <tbody>${this.nodes.map((n) => html`<tr>
              <td><a href="/remotes/${encodeURIComponent(r)}/nodes/${encodeURIComponent(n.node ?? '')}">${n.node ?? n.name}</a></td>
              <td><span class="badge ${statusClass(n.status)}">${n.status}</span></td>
              <td>${usageBar(n.cpu, 'CPU')}</td><td>${usageBar(ratio(n.mem, n.maxmem), 'Memory')}</td><td>${duration(n.uptime)}</td></tr>`)}</tbody>
          </table>
        </section>
        <section class="card wide" aria-label="Tasks of this remote">
          <h2>Tasks</h2>
          <st-task-table label="Tasks of this remote" limit="20" .filter=${{ remote: r }}></st-task-table>
        </section>
      </div>`;
  }
}
customElements.define('st-view-remote', StViewRemote);
