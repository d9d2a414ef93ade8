// This host (where Steward runs): status read by the root daemon, the HTTPS certificate
// (upload a new one), pending updates (refresh the package lists as a task with a live log,
// read a package's changelog), Steward's services and their settings.
import { LitElement, css, html, nothing } from 'lit';
import type { PrivdResult } from '../../../../shared/privd-methods.ts';
import { api, errorText } from '../../api/client.ts';
import { session } from '../../api/session.ts';
import { ratio, usageBar } from '../../components/st-usage.ts';
import { bytes, dateTime, duration } from '../../lib/format.ts';
import { notify } from '../../lib/notify.ts';
import { trackTask } from '../../lib/task-tracker.ts';
import { baseStyles, usageStyles } from '../../lib/styles.ts';
import '../../components/st-task-log.ts';
import '../../components/st-dialog.ts';
import type { StDialog } from '../../components/st-dialog.ts';
import './st-service-config.ts';
import type { TaskStatus } from '../../api/tasks.ts';
import { taskFailed } from '../../api/tasks.ts';

type SystemInfo = PrivdResult<'system.info'>;
type Updates = PrivdResult<'apt.upgradable'>;
type Services = PrivdResult<'service.status'>;
interface Certificate { subject: string; issuer: string; san: string[]; notBefore: number; notAfter: number; fingerprint: string }

export class StViewSystem extends LitElement {
  static override styles = [baseStyles, usageStyles, css`
    :host { display: block; }
    .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(30rem, 100%), 1fr)); gap: 1rem; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.35rem 1rem; margin: 0; }
    dt { color: var(--st-text-muted); }
    dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
    textarea { min-height: 6rem; font-family: var(--st-mono); font-size: 0.8rem; }
    details { margin-top: 0.75rem; }
    pre.changelog { white-space: pre-wrap; font-size: 0.8rem; margin: 0; }
  `];
  static override properties = {
    info: { state: true }, cert: { state: true }, updates: { state: true }, services: { state: true }, errors: { state: true }, busy: { state: true }, aptTask: { state: true }, changelog: { state: true },
  };
  declare info: SystemInfo | undefined;
  declare cert: Certificate | undefined;
  declare updates: Updates | undefined;
  declare services: Services | undefined;
  declare errors: string[];
  declare busy: boolean;
  /** The apt-get update task being followed (steward!UPID:…). */
  declare aptTask: string | undefined;
  /** The changelog shown in the dialog (package, text), once loaded. */
  declare changelog: { package: string; text: string; truncated: boolean } | undefined;

  constructor() {
    super();
    this.errors = [];
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    void this.followRunningUpdate();
  }

  /** An apt-get update started earlier (another tab, before a reload) is followed here too. */
  private async followRunningUpdate(): Promise<void> {
    if (!session.can('/system', 'admin')) return;
    try {
      const r = await api.get<{ tasks: { id: string }[] }>('/system/tasks', { status: 'running', type: 'aptupdate', limit: 1 });
      if (r.tasks[0] && !this.aptTask) {
        this.aptTask = r.tasks[0].id;
        this.busy = true;
      }
    } catch {
      // Only a convenience: the button still starts (or names) the task.
    }
  }

  private async load(): Promise<void> {
    const [info, cert, updates, services] = await Promise.allSettled([
      api.get<SystemInfo>('/system/status'),
      api.get<Certificate>('/system/certificates'),
      api.get<Updates>('/system/updates'),
      api.get<Services>('/system/services'),
    ]);
    if (info.status === 'fulfilled') this.info = info.value;
    if (cert.status === 'fulfilled') this.cert = cert.value;
    if (updates.status === 'fulfilled') this.updates = updates.value;
    if (services.status === 'fulfilled') this.services = services.value;
    this.errors = [info, cert, updates, services].filter((r) => r.status === 'rejected').map((r) => errorText((r as PromiseRejectedResult).reason));
  }

  /** Starts `apt-get update` as a host task; its live log shows below the list until it ends. */
  private async refreshUpdates(): Promise<void> {
    this.busy = true;
    try {
      this.aptTask = await api.post<string>('/system/updates', {});
      trackTask(this.aptTask, 'host');
    } catch (err) {
      notify('error', errorText(err));
      this.busy = false;
    }
  }

  private async aptDone(ev: CustomEvent<TaskStatus>): Promise<void> {
    this.busy = false;
    notify(taskFailed(ev.detail) ? 'error' : 'ok', taskFailed(ev.detail) ? `apt update failed: ${ev.detail.exitstatus}` : 'Package lists refreshed');
    await this.load();
  }

  private async showChangelog(pkg: string): Promise<void> {
    try {
      this.changelog = await api.get<{ package: string; text: string; truncated: boolean }>('/system/updates/changelog', { package: pkg });
      await this.updateComplete;
      this.renderRoot.querySelector<StDialog>('st-dialog#changelog')?.show();
    } catch (err) {
      notify('error', errorText(err));
    }
  }

  private async upload(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const f = new FormData(ev.target as HTMLFormElement);
    this.busy = true;
    try {
      const r = await api.post<{ fingerprint: string; warnings: string[] }>('/system/certificates', { certificates: String(f.get('certificates') ?? ''), key: String(f.get('key') ?? '') });
      notify('ok', `Certificate installed (${r.fingerprint})${r.warnings.length ? `: ${r.warnings.join('; ')}` : ''}`);
      (ev.target as HTMLFormElement).reset();
      await this.load();
    } catch (err) {
      notify('error', errorText(err));
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const i = this.info;
    const c = this.cert;
    const admin = session.can('/system', 'admin');
    const pkgs = this.updates?.packages ?? [];
    return html`<h1>This host</h1>
      ${this.errors.map((e) => html`<div class="error-box" role="alert">${e}</div>`)}
      <div class="grid">
        ${i ? html`<section class="card" aria-label="Host status"><h2>Status</h2><dl>
          <dt>Host name</dt><dd>${i.hostname}</dd>
          <dt>System</dt><dd>${i.os.prettyName}</dd>
          <dt>Kernel</dt><dd>${i.kernel.release} (${i.kernel.machine})</dd>
          <dt>Uptime</dt><dd>${duration(i.uptime)}</dd>
          <dt>Load</dt><dd>${i.loadavg.map((l) => l.toFixed(2)).join(' ')} on ${i.cpus} CPUs</dd>
          <dt>Memory</dt><dd>${usageBar(ratio(i.memory.total - i.memory.available, i.memory.total), 'Memory')}
            <span class="muted">${bytes(i.memory.total - i.memory.available)} of ${bytes(i.memory.total)} in use</span></dd>
        </dl></section>` : nothing}
        ${this.services ? html`<section class="card table-wrap" aria-label="Services"><h2>Services</h2>
          <table class="data"><thead><tr><th>Unit</th><th>State</th><th>Since</th><th>Restarts</th></tr></thead>
          <tbody>${this.services.units.map((u) => html`<tr><td class="mono">${u.unit}</td>
            <td><span class="badge ${u.active === 'active' ? 'ok' : u.active === 'failed' ? 'error' : ''}">${u.active} (${u.sub})</span></td>
            <td>${u.since ? dateTime(u.since) : '–'}</td><td>${u.restarts}</td></tr>`)}</tbody></table></section>` : nothing}
        ${c ? html`<section class="card" aria-label="Certificate"><h2>HTTPS certificate</h2><dl>
          <dt>Subject</dt><dd>${c.subject}</dd><dt>Issuer</dt><dd>${c.issuer}</dd>
          <dt>Names</dt><dd>${c.san.join(', ')}</dd>
          <dt>Valid</dt><dd>${dateTime(c.notBefore)} – ${dateTime(c.notAfter)}${c.notAfter * 1000 - Date.now() < 30 * 86_400_000 ? html` <span class="badge warn">expires soon</span>` : nothing}</dd>
          <dt>SHA-256</dt><dd class="mono">${c.fingerprint}</dd></dl>
          ${admin ? html`<details><summary>Upload a certificate</summary>
            <form @submit=${this.upload}>
              <label for="certificates">Certificate chain (PEM)</label><textarea id="certificates" name="certificates" required spellcheck="false"></textarea>
              <label for="key">Private key (PEM)</label><textarea id="key" name="key" required spellcheck="false"></textarea>
              <div class="row"><button class="primary" type="submit" ?disabled=${this.busy}>Install</button></div>
            </form></details>` : nothing}
        </section>` : nothing}
        ${this.updates ? html`<section class="card table-wrap" aria-label="Updates">
          <div class="row"><h2>Updates</h2><span class="spacer"></span>
            ${admin ? html`<button @click=${this.refreshUpdates} ?disabled=${this.busy}>${this.busy ? 'Refreshing…' : 'Refresh package lists'}</button>` : nothing}</div>
          ${pkgs.length
            ? html`<table class="data"><thead><tr><th>Package</th><th>Installed</th><th>New</th><th></th></tr></thead>
                <tbody>${pkgs.map((p) => html`<tr><td>${p.package}${p.security ? html` <span class="badge error">security</span>` : nothing}</td>
                  <td class="mono">${p.current ?? '–'}</td><td class="mono">${p.candidate}</td>
                  <td>${admin ? html`<button @click=${() => void this.showChangelog(p.package)} aria-label="Changelog of ${p.package}">Changelog</button>` : nothing}</td></tr>`)}</tbody></table>`
            : html`<p>The system is up to date.</p>`}
          ${this.aptTask ? html`<st-task-log source="host" .upid=${this.aptTask} @task-done=${this.aptDone}></st-task-log>` : nothing}
        </section>` : nothing}
        ${admin ? html`<section class="card" aria-label="Service settings"><h2>Service settings</h2><st-service-config></st-service-config></section>` : nothing}
      </div>
      ${this.changelog ? html`<st-dialog id="changelog" heading="Changelog of ${this.changelog.package}" @close=${() => { this.changelog = undefined; }}>
        <pre class="changelog" aria-label="Changelog" tabindex="0">${this.changelog.text}${this.changelog.truncated ? '\n…' : ''}</pre>
      </st-dialog>` : nothing}`;
  }
}
customElements.define('st-view-system', StViewSystem);
