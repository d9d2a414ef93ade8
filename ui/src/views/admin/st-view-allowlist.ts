// Access settings: the IP allowlist (CIDRs; empty lets every address in) and whether every
// user must have a second factor. The API refuses a list that would lock out this browser.
import { LitElement, css, html, nothing } from 'lit';
import { api, errorText } from '../../api/client.ts';
import { session } from '../../api/session.ts';
import { notify } from '../../lib/notify.ts';
import { baseStyles } from '../../lib/styles.ts';

interface AccessSettings { allowlist: string[]; 'tfa-required': boolean; digest: string }

export class StViewAllowlist extends LitElement {
  static override styles = [baseStyles, css`
    :host { display: block; }
    form { max-width: 36rem; }
    textarea { min-height: 10rem; font-family: var(--st-mono); }
    .row { margin-top: 1rem; }
  `];
  static override properties = { settings: { state: true }, error: { state: true }, busy: { state: true } };
  declare settings: AccessSettings | undefined;
  declare error: string | undefined;
  declare busy: boolean;

  constructor() {
    super();
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.settings = await api.get<AccessSettings>('/access/settings');
      this.error = undefined;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private async save(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const f = new FormData(ev.target as HTMLFormElement);
    const allowlist = String(f.get('allowlist') ?? '').split(/[\s,]+/).filter(Boolean);
    this.busy = true;
    try {
      await api.put('/access/settings', { allowlist, 'tfa-required': f.get('tfa-required') === 'on', digest: this.settings?.digest });
      notify('ok', 'Access settings saved');
      this.error = undefined;
      await this.load();
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const admin = session.can('/access', 'admin');
    const s = this.settings;
    return html`<h1>IP allowlist and TFA policy</h1>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      ${s ? html`<form class="card" @submit=${this.save} novalidate>
        <label for="allowlist">Addresses allowed to use Steward (one CIDR per line, e.g. 10.0.0.0/8; empty: everyone)</label>
        <textarea id="allowlist" name="allowlist" ?readonly=${!admin} spellcheck="false" .value=${s.allowlist.join('\n')}></textarea>
        <p class="muted">A list that would lock out the address you are using now is refused. After a lock-out, <code>steward-admin</code> on the host can clear it.</p>
        <label><input type="checkbox" name="tfa-required" ?checked=${s['tfa-required']} ?disabled=${!admin}> Every user must have a second factor</label>
        ${admin ? html`<div class="row"><button class="primary" type="submit" ?disabled=${this.busy}>Save</button></div>` : nothing}
      </form>` : nothing}`;
  }
}
customElements.define('st-view-allowlist', StViewAllowlist);
