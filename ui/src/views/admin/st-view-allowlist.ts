// Access settings: the IP allowlist (CIDRs; empty lets every address in) and whether every
// user must have a second factor. The API refuses a list that would lock out this browser.
import { css, html, nothing } from 'lit';
import { api } from '../../api/client.ts';
import { session } from '../../api/session.ts';
import { baseStyles } from '../../lib/styles.ts';
import { StAdminPage, adminStyles } from './st-admin-list.ts';

interface AccessSettings { allowlist: string[]; 'tfa-required': boolean; digest: string }

export class StViewAllowlist extends StAdminPage<AccessSettings> {
  static override styles = [baseStyles, adminStyles, css`
    form { max-width: 36rem; }
    textarea { min-height: 10rem; font-family: var(--st-mono); }
    .save { margin-top: 1rem; }
  `];

  protected fetchData(): Promise<AccessSettings> {
    return api.get<AccessSettings>('/access/settings');
  }

  private save(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const f = new FormData(ev.target as HTMLFormElement);
    const allowlist = String(f.get('allowlist') ?? '').split(/[\s,]+/).filter(Boolean);
    return this.submit(async () => {
      await api.put('/access/settings', { allowlist, 'tfa-required': f.get('tfa-required') === 'on', digest: this.data?.digest });
      return 'Access settings saved';
    });
  }

  override render() {
    const admin = session.can('/access', 'admin');
    const s = this.data;
    return html`${this.renderHead('IP allowlist and TFA policy')}
      ${this.errors._ ? html`<div class="error-box" role="alert">${this.errors._}</div>` : nothing}
      ${s ? html`<form class="card" @submit=${this.save} novalidate>
        <label for="allowlist">Addresses allowed to use Steward (one CIDR per line, e.g. 10.0.0.0/8; empty: everyone)</label>
        <textarea id="allowlist" name="allowlist" ?readonly=${!admin} spellcheck="false" .value=${s.allowlist.join('\n')}></textarea>
        <p class="muted">A list that would lock out the address you are using now is refused. After a lock-out, <code>steward-admin</code> on the host can clear it.</p>
        <label><input type="checkbox" name="tfa-required" ?checked=${s['tfa-required']} ?disabled=${!admin}> Every user must have a second factor</label>
        ${admin ? html`<div class="row save"><button class="primary" type="submit" ?disabled=${this.busy}>Save</button></div>` : nothing}
      </form>` : nothing}`;
  }
}
customElements.define('st-view-allowlist', StViewAllowlist);
