// A PVE node's page: status read from the remote, its pending updates (from the poller), its
// storages (from the last refresh, each linked to its page with the usage history).
import { LitElement, html, nothing } from 'lit';
import { api, errorText, path } from '../api/client.ts';
import { listResources, resourceHref } from '../api/resources.ts';
import type { Resource } from '../api/resources.ts';
import '../components/st-rrd.ts';
import '../components/st-task-table.ts';
import { ratio, usageBar } from '../components/st-usage.ts';
import { age, bytes, duration } from '../lib/format.ts';
import { baseStyles, detailStyles, usageStyles } from '../lib/styles.ts';

interface NodeStatus {
  cpu?: number;
  cpuinfo?: { cpus?: number; model?: string; sockets?: number };
  memory?: { used?: number; total?: number };
  rootfs?: { used?: number; total?: number };
  uptime?: number;
  loadavg?: string[];
  pveversion?: string;
  kversion?: string;
}

interface AptUpdate { Package?: string; Version?: string; OldVersion?: string; Title?: string }
interface Apt { time?: number; updates: AptUpdate[]; subscription?: { status?: string; level?: string }; error?: string }

export class StViewNode extends LitElement {
  static override styles = [baseStyles, usageStyles, detailStyles];

  static override properties = { params: { attribute: false }, status: { state: true }, apt: { state: true }, storages: { state: true }, error: { state: true } };
  declare params: { remote: string; node: string };
  declare status: NodeStatus | undefined;
  declare apt: Apt | undefined;
  declare storages: Resource[] | undefined;
  declare error: string | undefined;

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('params') && this.params) void this.load();
  }

  private async load(): Promise<void> {
    const { remote, node } = this.params;
    const [status, apt, storages] = await Promise.allSettled([
      api.get<NodeStatus>(path`/pve/remotes/${remote}/nodes/${node}/status`),
      api.get<Apt>(path`/pve/remotes/${remote}/nodes/${node}/apt`),
      listResources({ search: `+remote:${remote} +node:${node} +type:storage`, sort: 'name', limit: 500 }),
    ]);
    this.status = status.status === 'fulfilled' ? status.value : undefined;
    this.apt = apt.status === 'fulfilled' ? apt.value : undefined;
    this.storages = storages.status === 'fulfilled' ? storages.value.resources.filter((r) => r.remote === remote && r.node === node) : undefined;
    const failed = [status, apt, storages].find((r) => r.status === 'rejected');
    this.error = failed ? errorText(failed.reason) : undefined;
  }

  override render() {
    const s = this.status;
    const { remote, node } = this.params;
    return html`
      <h1>Node ${node}</h1>
      <p class="muted">on <a href="/remotes/${encodeURIComponent(remote)}">${remote}</a> ·
        <a href="/resources?search=${encodeURIComponent(`+remote:${remote} +node:${node}`)}">its resources</a></p>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      <div class="grid">
        <section class="card" aria-label="Status">
          <h2>Status</h2>
          <dl>
            <dt>CPU</dt><dd>${usageBar(s?.cpu, 'CPU')} <span class="muted">${s?.cpuinfo?.cpus ?? ''} CPUs ${s?.cpuinfo?.model ?? ''}</span></dd>
            <dt>Memory</dt><dd>${usageBar(ratio(s?.memory?.used, s?.memory?.total), 'Memory')} <span class="muted">${bytes(s?.memory?.used)} / ${bytes(s?.memory?.total)}</span></dd>
            <dt>Root disk</dt><dd>${usageBar(ratio(s?.rootfs?.used, s?.rootfs?.total), 'Root disk')}</dd>
            <dt>Load</dt><dd>${s?.loadavg?.join(' ') ?? '–'}</dd>
            <dt>Uptime</dt><dd>${duration(s?.uptime)}</dd>
            <dt>Version</dt><dd>${s?.pveversion ?? '–'}</dd>
            <dt>Kernel</dt><dd>${s?.kversion ?? '–'}</dd>
          </dl>
        </section>
        <section class="card table-wrap" aria-label="Updates">
          <h2>Updates</h2>
          ${this.apt?.error ? html`<div class="error-box">${this.apt.error}</div>` : nothing}
          <p class="muted">Subscription: ${this.apt?.subscription?.status ?? 'unknown'} · checked ${age(this.apt?.time)}</p>
          ${this.apt?.updates.length
            ? html`<table class="data"><thead><tr><th>Package</th><th>Installed</th><th>New</th></tr></thead>
                <tbody>${this.apt.updates.map((u) => html`<tr><td title=${u.Title ?? ''}>${u.Package}</td><td class="mono">${u.OldVersion ?? ''}</td><td class="mono">${u.Version ?? ''}</td></tr>`)}</tbody></table>`
            : html`<p>No pending updates.</p>`}
        </section>
        <st-rrd class="wide" kind="node" url=${path`/pve/remotes/${remote}/nodes/${node}/rrddata`}></st-rrd>
        <section class="card table-wrap wide" aria-label="Storages">
          <h2>Storages</h2>
          ${this.storages?.length
            ? html`<table class="data"><thead><tr><th>Storage</th><th>Type</th><th>Status</th><th>Used</th><th>Size</th></tr></thead>
                <tbody>${this.storages.map((st) => html`<tr><td><a href=${resourceHref(st) ?? '#'}>${st.storage ?? st.name}</a></td><td>${st.plugintype ?? ''}${st.shared ? ' (shared)' : ''}</td>
                  <td>${st.status ?? ''}</td><td>${usageBar(ratio(st.disk, st.maxdisk), `${st.storage ?? st.name} used`)}</td><td>${bytes(st.maxdisk)}</td></tr>`)}</tbody></table>`
            : html`<p class="muted">${this.storages ? 'No storages on this node.' : '–'}</p>`}
        </section>
        <section class="card wide" aria-label="Tasks on this node">
          <h2>Tasks</h2>
          <st-task-table label="Tasks on this node" limit="20" .filter=${{ remote, node }}></st-task-table>
        </section>
      </div>`;
  }
}
customElements.define('st-view-node', StViewNode);
