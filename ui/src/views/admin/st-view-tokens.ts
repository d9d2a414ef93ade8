// API tokens of the logged-in user: create (with a ceiling role and an expiry; the secret is
// shown once, with a copy button), list with last use, remove.
import { css, html, nothing } from 'lit';
import { tokenName } from '../../../../shared/formats.ts';
import { tokens } from '../../api/access.ts';
import type { Token } from '../../api/access.ts';
import { errorText } from '../../api/client.ts';
import { session } from '../../api/session.ts';
import '../../components/st-dialog.ts';
import type { StDialog } from '../../components/st-dialog.ts';
import { age, dateTime } from '../../lib/format.ts';
import { notify, notifyError } from '../../lib/notify.ts';
import { baseStyles } from '../../lib/styles.ts';
import { StAdminList } from './st-admin-list.ts';
import { apiFieldErrors, fieldError, validate } from './forms.ts';
import type { FieldErrors } from './forms.ts';

export class StViewTokens extends StAdminList<Token> {
  static override styles = [baseStyles, css`
    :host { display: block; } .head { margin-bottom: 1rem; } .head h1 { margin: 0; }
    .secret { font-family: var(--st-mono); background: var(--st-surface-2); padding: 0.6rem; border-radius: var(--st-radius); word-break: break-all; }
  `];

  static override properties = { creating: { state: true }, errors: { state: true }, busy: { state: true }, created: { state: true } };
  declare creating: boolean;
  declare errors: FieldErrors;
  declare busy: boolean;
  /** The token just created: its secret is shown once. */
  declare created: { tokenid: string; value: string } | undefined;

  constructor() {
    super();
    this.creating = false;
    this.errors = {};
    this.busy = false;
  }

  private get userid(): string {
    return session.username ?? '';
  }

  protected fetchList(): Promise<Token[]> {
    return tokens.list(this.userid);
  }

  private async openCreate(): Promise<void> {
    this.creating = true;
    this.created = undefined;
    this.errors = {};
    await this.showDialog();
  }

  private async onCreate(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const f = new FormData(ev.target as HTMLFormElement);
    const name = validate(tokenName, String(f.get('name') ?? '').trim());
    if (!name.ok) {
      this.errors = { name: name.errors._ ?? 'invalid name' };
      return;
    }
    const expire = String(f.get('expire') ?? '');
    const body = {
      comment: String(f.get('comment') ?? '').trim() || undefined,
      expire: expire ? Math.floor(new Date(`${expire}T23:59:59`).getTime() / 1000) : undefined,
      role: String(f.get('role') ?? '') || undefined,
      privsep: f.get('privsep') === 'on',
    };
    this.busy = true;
    try {
      this.created = await tokens.create(this.userid, name.value, body);
      await this.load();
    } catch (err) {
      this.errors = { ...apiFieldErrors(err), _: errorText(err) };
    } finally {
      this.busy = false;
    }
  }

  private async copy(): Promise<void> {
    if (!this.created) return;
    await navigator.clipboard.writeText(`${this.created.tokenid}:${this.created.value}`);
    notify('ok', 'Token copied');
  }

  private async removeToken(t: Token): Promise<void> {
    const name = t.tokenid.split('!')[1] ?? t.tokenid;
    if (!confirm(`Remove token ${t.tokenid}? Scripts using it stop working.`)) return;
    try {
      await tokens.remove(this.userid, name);
      notify('ok', `Token ${t.tokenid} removed`);
    } catch (err) {
      notifyError(err, 'Removing failed');
    }
    await this.load();
  }

  private renderDialog() {
    if (!this.creating) return nothing;
    if (this.created) {
      return html`<st-dialog heading="Token created" @close=${() => { this.creating = false; this.created = undefined; }}>
        <p>Copy the secret now. <strong>It is shown only once</strong> and cannot be read again.</p>
        <p>Use it as <code>Authorization: StewardAPIToken=${this.created.tokenid}:…</code></p>
        <div class="secret" aria-label="Token secret">${this.created.tokenid}:${this.created.value}</div>
        <button slot="actions" @click=${this.copy}>Copy</button>
        <button slot="actions" class="primary" @click=${() => this.renderRoot.querySelector<StDialog>('st-dialog')?.close()}>Done</button>
      </st-dialog>`;
    }
    return html`<st-dialog heading="Create API token" @close=${() => { this.creating = false; }}>
      <form id="token-form" @submit=${this.onCreate} novalidate>
        ${this.errors._ ? html`<div class="error-box" role="alert">${this.errors._}</div>` : nothing}
        <label for="name">Name</label><input id="name" name="name" required maxlength="32" autocapitalize="off" placeholder="backup-script">${fieldError(this.errors, 'name', 'tokenid')}
        <label for="role">Ceiling role</label>
        <select id="role" name="role"><option value="">Same as mine</option><option value="Audit">Audit (read only)</option><option value="Manage">Manage</option><option value="Admin">Admin</option></select>
        <label><input type="checkbox" name="privsep" checked> Privilege separation (the token's rights are limited to its own grants)</label>
        <label for="expire">Expires</label><input id="expire" name="expire" type="date">${fieldError(this.errors, 'expire')}
        <label for="comment">Comment</label><input id="comment" name="comment" maxlength="4096">
      </form>
      <button slot="actions" type="submit" form="token-form" class="primary" ?disabled=${this.busy}>Create</button>
    </st-dialog>`;
  }

  override render() {
    return html`
      <div class="row head"><h1>API tokens</h1><span class="spacer"></span><button class="primary" @click=${this.openCreate}>Create token</button></div>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      <div class="card table-wrap"><table class="data" aria-label="API tokens">
        <thead><tr><th>Token</th><th>Role</th><th>Expires</th><th>Last used</th><th>Comment</th><th></th></tr></thead>
        <tbody>${this.list?.length ? this.list.map((t) => html`<tr>
          <td class="mono">${t.tokenid}</td><td>${t.role ?? ''}</td><td>${t.expire ? dateTime(t.expire) : 'never'}</td>
          <td>${t['last-used'] ? age(t['last-used']) : 'never'}</td><td>${t.comment ?? ''}</td>
          <td><button class="danger" @click=${() => void this.removeToken(t)}>Remove</button></td></tr>`)
          : html`<tr><td colspan="6" class="muted">No tokens.</td></tr>`}</tbody>
      </table></div>
      ${this.renderDialog()}`;
  }
}
customElements.define('st-view-tokens', StViewTokens);
