// A guest's page: status, config summary, usage charts from RRD data, and the actions the
// session may take (start, shutdown, reboot, stop, migrate), each followed in a live task log.
import { LitElement, css, html, nothing } from 'lit';
import { api, errorText, path } from '../api/client.ts';
import { guestAction, listResources } from '../api/resources.ts';
import type { GuestAction } from '../api/resources.ts';
import { session } from '../api/session.ts';
import { ask } from '../components/st-confirm.ts';
import '../components/st-dialog.ts';
import '../components/st-rrd.ts';
import type { StDialog } from '../components/st-dialog.ts';
import '../components/st-task-log.ts';
import '../components/st-task-table.ts';
import type { StTaskTable } from '../components/st-task-table.ts';
import { ratio, usageBar } from '../components/st-usage.ts';
import { bytes, duration, statusClass } from '../lib/format.ts';
import { notify, notifyError } from '../lib/notify.ts';
import { baseStyles, detailStyles, usageStyles } from '../lib/styles.ts';
import { trackTask } from '../lib/task-tracker.ts';

interface GuestStatus {
  status: string;
  name?: string;
  node?: string;
  cpu?: number;
  cpus?: number;
  mem?: number;
  maxmem?: number;
  disk?: number;
  maxdisk?: number;
  uptime?: number;
  template?: boolean | number;
  lock?: string;
  tags?: string;
}


/** Config keys worth a summary line; the rest is in the full list below it. */
const SUMMARY_KEYS = ['name', 'ostype', 'cores', 'sockets', 'memory', 'cpu', 'machine', 'bios', 'boot', 'onboot', 'hostname', 'arch', 'swap', 'rootfs'];

export class StViewGuest extends LitElement {
  static override styles = [
    baseStyles,
    usageStyles,
    detailStyles,
    css`
      .head h1 { margin: 0; }
      .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(22rem, 100%), 1fr)); gap: 1rem; margin-top: 1rem; }
      .actions { margin-top: 0.75rem; }
      .wide { grid-column: 1 / -1; }
    `,
  ];

  static override properties = {
    params: { attribute: false },
    status: { state: true },
    config: { state: true },
    error: { state: true },
    migrating: { state: true },
    upid: { state: true },
    nodes: { state: true },
    busy: { state: true },
    mayManage: { state: true },
  };

  declare params: { remote: string; type: string; vmid: string };
  declare status: GuestStatus | undefined;
  declare config: Record<string, unknown> | undefined;
  declare error: string | undefined;
  declare migrating: boolean;
  declare upid: string | undefined;
  declare nodes: string[];
  declare busy: boolean;
  /** Manage on this guest — through its remote or a saved view that includes it (the API decides). */
  declare mayManage: boolean;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.nodes = [];
    this.busy = false;
    this.migrating = false;
    this.mayManage = false;
  }

  private get base(): string {
    const { remote, type, vmid } = this.params;
    return path`/pve/remotes/${remote}/${type}/${vmid}`;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = setInterval(() => void this.loadStatus(), 10_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('params') && this.params && (this.params.type === 'qemu' || this.params.type === 'lxc')) void this.loadAll();
  }

  private async loadAll(): Promise<void> {
    await Promise.all([this.loadStatus(), this.loadConfig(), this.loadPrivileges()]);
  }

  private async loadPrivileges(): Promise<void> {
    const { remote, type, vmid } = this.params;
    // The remote-wide role answers without asking; a view's grant is per guest, so ask the API.
    if (session.can(`/remotes/${remote}`, 'manage')) {
      this.mayManage = true;
      return;
    }
    try {
      const p = await api.get<{ manage: boolean }>(`/resources/privileges?remote=${encodeURIComponent(remote)}&id=${encodeURIComponent(`${type}/${vmid}`)}`);
      this.mayManage = p.manage;
    } catch {
      this.mayManage = false;
    }
  }

  private async loadStatus(): Promise<void> {
    if (this.params.type !== 'qemu' && this.params.type !== 'lxc') return;
    try {
      this.status = await api.get<GuestStatus>(`${this.base}/status`);
      this.error = undefined;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private async loadConfig(): Promise<void> {
    try {
      this.config = await api.get<Record<string, unknown>>(`${this.base}/config`);
    } catch {
      // The status error (shown above) already says what is wrong with this guest.
    }
  }

  private get taskTable(): StTaskTable | null {
    return this.renderRoot.querySelector<StTaskTable>('st-task-table');
  }

  private get label(): string {
    return this.status?.name ?? this.params.vmid;
  }

  /** Shutdown and reboot are confirmed; stop (like pulling the plug) asks for the name typed. */
  private async confirmAction(action: 'shutdown' | 'reboot' | 'stop'): Promise<void> {
    const words = { stop: 'Stop (power off, like pulling the plug)', shutdown: 'Shut down (ask the guest OS)', reboot: 'Reboot' };
    const verb = action[0]!.toUpperCase() + action.slice(1);
    const yes = await ask({
      heading: `${verb} ${this.label}?`,
      message: html`${words[action]} — guest <strong>${this.label}</strong> on ${this.params.remote}.`,
      action: verb,
      danger: action === 'stop',
      ...(action === 'stop' ? { typeToConfirm: this.label } : {}),
    });
    if (yes) await this.run(action);
  }

  private async openMigrate(): Promise<void> {
    this.migrating = true;
    try {
      const { resources } = await listResources({ search: `+remote:${this.params.remote} +type:node`, limit: 1000 });
      this.nodes = resources.map((r) => r.node ?? r.name ?? '').filter((n) => n && n !== this.status?.node);
    } catch (err) {
      notifyError(err, 'Cannot list the target nodes');
    }
    await this.updateComplete;
    this.renderRoot.querySelector<StDialog>('st-dialog#migrate')?.show();
  }

  private async run(action: GuestAction | 'migrate', body: object = {}): Promise<void> {
    this.renderRoot.querySelector<StDialog>('st-dialog#migrate')?.close();
    this.busy = true;
    try {
      const upid = await guestAction(this.params.remote, this.params.type, this.params.vmid, action, body);
      this.upid = upid;
      void this.taskTable?.load();
      trackTask(upid);
      notify('info', `${action} of ${this.label} started`);
    } catch (err) {
      notifyError(err, `${action} of ${this.label} failed`);
    } finally {
      this.busy = false;
    }
  }

  private onMigrateSubmit(ev: SubmitEvent): void {
    ev.preventDefault();
    const form = new FormData(ev.target as HTMLFormElement);
    const target = String(form.get('target') ?? '');
    if (!target) return;
    const on = (k: string) => form.get(k) === 'on';
    const body = this.params.type === 'lxc' ? { target, restart: on('restart') } : { target, online: on('online'), 'with-local-disks': on('with-local-disks') };
    void this.run('migrate', body);
  }

  private renderMigrate() {
    if (!this.migrating) return nothing;
    return html`<st-dialog id="migrate" heading="Migrate ${this.label}" @close=${() => { this.migrating = false; }}>
      <form id="migrate-form" @submit=${this.onMigrateSubmit}>
        <label for="target">Target node</label>
        <select id="target" name="target" required>${this.nodes.map((n) => html`<option>${n}</option>`)}</select>
        ${this.params.type === 'lxc'
          ? html`<label><input type="checkbox" name="restart" ?checked=${this.status?.status === 'running'}> Restart mode (a running container is stopped, moved and started)</label>`
          : html`<label><input type="checkbox" name="online" ?checked=${this.status?.status === 'running'}> Online (live) migration</label>
              <label><input type="checkbox" name="with-local-disks"> Copy local disks</label>`}
      </form>
      <button slot="actions" type="submit" form="migrate-form" class="primary" ?disabled=${!this.nodes.length}>Migrate</button>
    </st-dialog>`;
  }

  private renderActions() {
    if (!this.mayManage) return nothing;
    const running = this.status?.status === 'running';
    const b = this.busy;
    return html`<div class="row actions" role="group" aria-label="Actions">
      <button class="primary" ?disabled=${b || running} @click=${() => void this.run('start')}>Start</button>
      <button ?disabled=${b || !running} @click=${() => void this.confirmAction('shutdown')}>Shutdown</button>
      <button ?disabled=${b || !running} @click=${() => void this.confirmAction('reboot')}>Reboot</button>
      <button class="danger" ?disabled=${b || !running} @click=${() => void this.confirmAction('stop')}>Stop</button>
      <button ?disabled=${b} @click=${() => void this.openMigrate()}>Migrate</button>
    </div>`;
  }

  override render() {
    const s = this.status;
    const { remote, type, vmid } = this.params;
    if (type !== 'qemu' && type !== 'lxc') return html`<h1>Page not found</h1><p>Guests are <code>qemu</code> or <code>lxc</code>. <a href="/">Go to the dashboard</a>.</p>`;
    const cfg = this.config ?? {};
    return html`
      <div class="row head">
        <h1>${type === 'lxc' ? 'CT' : 'VM'} ${vmid}${s?.name ? ` (${s.name})` : ''}</h1>
        ${s ? html`<span class="badge ${statusClass(s.status)}" aria-label="Guest status">${s.status}</span>` : nothing}
      </div>
      <p class="muted">on <a href="/remotes/${encodeURIComponent(remote)}">${remote}</a>${s?.node ? html` / node ${s.node}` : nothing}</p>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      ${this.renderActions()}
      ${this.upid ? html`<section class="card" aria-label="Task"><st-task-log .upid=${this.upid} @task-done=${() => { void this.loadStatus(); void this.taskTable?.load(); }}></st-task-log></section>` : nothing}
      <div class="grid">
        <section class="card" aria-label="Status">
          <h2>Status</h2>
          <dl>
            <dt>CPU</dt><dd>${usageBar(s?.cpu, 'CPU')}${s?.cpus ? html` <span class="muted">of ${s.cpus} CPUs</span>` : nothing}</dd>
            <dt>Memory</dt><dd>${usageBar(ratio(s?.mem, s?.maxmem), 'Memory')} <span class="muted">${bytes(s?.mem)} / ${bytes(s?.maxmem)}</span></dd>
            <dt>Disk</dt><dd>${bytes(s?.maxdisk)}</dd>
            <dt>Uptime</dt><dd>${duration(s?.uptime)}</dd>
            ${s?.lock ? html`<dt>Lock</dt><dd>${s.lock}</dd>` : nothing}
            ${s?.tags ? html`<dt>Tags</dt><dd>${s.tags}</dd>` : nothing}
          </dl>
        </section>
        <section class="card" aria-label="Configuration">
          <h2>Configuration</h2>
          <dl>${Object.entries(cfg)
            .filter(([k]) => SUMMARY_KEYS.includes(k) || /^(net|scsi|virtio|sata|ide|mp)\d+$/.test(k))
            .map(([k, v]) => html`<dt>${k}</dt><dd class="mono">${String(v)}</dd>`)}</dl>
        </section>
        <st-rrd class="wide" kind="guest" url="${this.base}/rrddata"></st-rrd>
        <section class="card wide" aria-label="Tasks of this guest">
          <h2>Tasks</h2>
          <st-task-table label="Tasks of this guest" limit="20" .filter=${{ remote, object: vmid }}></st-task-table>
        </section>
      </div>
      ${this.renderMigrate()}`;
  }
}
customElements.define('st-view-guest', StViewGuest);
