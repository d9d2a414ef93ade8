// The service settings of this host's steward-api: listen address, port, trusted proxies.
// Checked with the schema steward-privd itself applies (shared/privd-methods.ts) before
// anything is sent, and the form says what the change will do: trusted proxies are a reload
// (connections kept), a new address or port restarts steward-api on a new socket.
import { LitElement, css, html } from 'lit';
import { PRIVD_METHODS } from '../../../../shared/privd-methods.ts';
import type { PrivdResult } from '../../../../shared/privd-methods.ts';
import { api, errorText } from '../../api/client.ts';
import { notify } from '../../lib/notify.ts';
import { baseStyles } from '../../lib/styles.ts';
import { apiFieldErrors, fieldError, validate } from './forms.ts';
import type { FieldErrors } from './forms.ts';

interface ServiceConfig { 'listen-address': string; port: number; 'trusted-proxies': string[]; digest: string }
type Changed = PrivdResult<'service.config'>;

const list = (v: string) => v.split(/[\s,]+/).filter(Boolean);

/** What applying these values does to steward-api, compared with the current ones. */
export function consequence(cur: ServiceConfig, next: { address: string; port: string; proxies: string }): string {
  const moves = next.address !== cur['listen-address'] || next.port !== String(cur.port);
  const proxies = list(next.proxies).join(',') !== cur['trusted-proxies'].join(',');
  if (moves) return 'steward-api restarts on the new address/port: open pages must be reloaded from there.';
  if (proxies) return 'steward-api reloads its settings; connections stay open.';
  return 'Nothing changed.';
}

export class StServiceConfig extends LitElement {
  static override styles = [baseStyles, css`:host { display: block; } .hint { margin: 0.5rem 0; }`];
  static override properties = { config: { state: true }, errors: { state: true }, busy: { state: true }, hint: { state: true }, loadError: { state: true } };
  declare config: ServiceConfig | undefined;
  declare errors: FieldErrors;
  declare busy: boolean;
  declare hint: string;
  declare loadError: string | undefined;

  constructor() {
    super();
    this.errors = {};
    this.busy = false;
    this.hint = 'Nothing changed.';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.config = await api.get<ServiceConfig>('/system/config');
      this.loadError = undefined;
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private values(form: HTMLFormElement) {
    const f = new FormData(form);
    return { address: String(f.get('listen-address') ?? '').trim(), port: String(f.get('port') ?? '').trim(), proxies: String(f.get('trusted-proxies') ?? '') };
  }

  private onInput(ev: Event): void {
    if (this.config) this.hint = consequence(this.config, this.values(ev.currentTarget as HTMLFormElement));
  }

  private async save(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const cur = this.config;
    if (!cur) return;
    const v = this.values(ev.target as HTMLFormElement);
    const checked = validate(PRIVD_METHODS['service.config'].params, {
      'listen-address': v.address,
      port: v.port === '' ? Number.NaN : Number(v.port),
      'trusted-proxies': list(v.proxies),
      digest: cur.digest,
    });
    if (!checked.ok) {
      this.errors = checked.errors;
      return;
    }
    this.errors = {};
    this.busy = true;
    try {
      const r = await api.put<Changed>('/system/config', checked.value);
      notify('ok', r.changed.length ? `Saved (${r.changed.join(', ')}); steward-api ${r.api}` : 'Nothing changed');
      if (r.api !== 'restarting') await this.load();
    } catch (err) {
      this.errors = apiFieldErrors(err);
      notify('error', errorText(err));
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const c = this.config;
    if (this.loadError) return html`<div class="error-box" role="alert">${this.loadError}</div>`;
    if (!c) return html`<p class="muted">Loading…</p>`;
    return html`<form @submit=${this.save} @input=${this.onInput} novalidate aria-label="Service settings">
      <label for="listen-address">Listen address</label>
      <input id="listen-address" name="listen-address" value=${c['listen-address']} maxlength="64" spellcheck="false" aria-describedby="consequence">
      ${fieldError(this.errors, 'listen-address')}
      <label for="port">Port</label>
      <input id="port" name="port" inputmode="numeric" value=${String(c.port)} maxlength="5">
      ${fieldError(this.errors, 'port')}
      <label for="trusted-proxies">Trusted proxies (addresses or networks, comma-separated)</label>
      <input id="trusted-proxies" name="trusted-proxies" value=${c['trusted-proxies'].join(', ')} maxlength="4096" spellcheck="false">
      ${fieldError(this.errors, 'trusted-proxies', ...Object.keys(this.errors).filter((k) => k.startsWith('trusted-proxies.')))}
      ${fieldError(this.errors, 'digest', '_')}
      <p class="hint muted" id="consequence" aria-live="polite">${this.hint}</p>
      <div class="row"><button class="primary" type="submit" ?disabled=${this.busy}>Save</button></div>
    </form>`;
  }
}
customElements.define('st-service-config', StServiceConfig);
