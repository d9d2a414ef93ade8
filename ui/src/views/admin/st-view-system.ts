// This host (where Steward runs): status read by the root daemon; certificates and updates
// appear here as their routes exist.
import { LitElement, css, html, nothing } from 'lit';
import type { PrivdResult } from '../../../../shared/privd-methods.ts';
import { api, errorText } from '../../api/client.ts';
import { ratio, usageBar } from '../../components/st-usage.ts';
import { bytes, duration } from '../../lib/format.ts';
import { baseStyles, usageStyles } from '../../lib/styles.ts';

type SystemInfo = PrivdResult<'system.info'>;

export class StViewSystem extends LitElement {
  static override styles = [baseStyles, usageStyles, css`
    :host { display: block; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.35rem 1rem; margin: 0; }
    dt { color: var(--st-text-muted); }
    dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
    .card { max-width: 44rem; }
  `];
  static override properties = { info: { state: true }, error: { state: true } };
  declare info: SystemInfo | undefined;
  declare error: string | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.info = await api.get<SystemInfo>('/system/status');
      this.error = undefined;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  override render() {
    const i = this.info;
    return html`<h1>This host</h1>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      ${i ? html`<section class="card" aria-label="Host status"><dl>
        <dt>Host name</dt><dd>${i.hostname}</dd>
        <dt>System</dt><dd>${i.os.prettyName}</dd>
        <dt>Kernel</dt><dd>${i.kernel.release} (${i.kernel.machine})</dd>
        <dt>Uptime</dt><dd>${duration(i.uptime)}</dd>
        <dt>Load</dt><dd>${i.loadavg.map((l) => l.toFixed(2)).join(' ')} on ${i.cpus} CPUs</dd>
        <dt>Memory</dt><dd>${usageBar(ratio(i.memory.total - i.memory.available, i.memory.total), 'Memory')}
          <span class="muted">${bytes(i.memory.total - i.memory.available)} of ${bytes(i.memory.total)} in use</span></dd>
      </dl></section>` : this.error ? nothing : html`<p class="muted">Loading…</p>`}`;
  }
}
customElements.define('st-view-system', StViewSystem);
