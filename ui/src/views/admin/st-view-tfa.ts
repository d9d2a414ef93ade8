// Two-factor authentication for the logged-in user: authenticator apps (TOTP, enrolled with a
// QR code), security keys (WebAuthn) and recovery keys (shown once).
import { LitElement, css, html, nothing } from 'lit';
import { TFA_TYPE_LABEL, newTotpSecret, tfa, totpUri } from '../../api/access.ts';
import type { TfaEntry } from '../../api/access.ts';
import { errorText } from '../../api/client.ts';
import { session } from '../../api/session.ts';
import { createCredential, webauthnSupported } from '../../api/webauthn.ts';
import type { CreationOptionsJson } from '../../api/webauthn.ts';
import { ask } from '../../components/st-confirm.ts';
import '../../components/st-dialog.ts';
import type { StDialog } from '../../components/st-dialog.ts';
import '../../components/st-qr.ts';
import { dateTime } from '../../lib/format.ts';
import { notify, notifyError } from '../../lib/notify.ts';
import { baseStyles } from '../../lib/styles.ts';

type Adding = 'totp' | 'webauthn' | 'recovery';


function creationOptions(challenge: string): CreationOptionsJson {
  const parsed = JSON.parse(challenge) as CreationOptionsJson | { publicKey: CreationOptionsJson };
  return 'publicKey' in parsed ? (parsed.publicKey as CreationOptionsJson) : parsed;
}

export class StViewTfa extends LitElement {
  static override styles = [baseStyles, css`
    :host { display: block; }
    .head { margin-bottom: 1rem; } .head h1 { margin: 0; }
    .enrol { display: grid; grid-template-columns: auto 1fr; gap: 1rem; align-items: start; }
    @media (max-width: 560px) { .enrol { grid-template-columns: 1fr; } }
    .keys { font-family: var(--st-mono); background: var(--st-surface-2); padding: 0.75rem; border-radius: var(--st-radius); white-space: pre; }
  `];

  static override properties = {
    entries: { state: true }, error: { state: true }, adding: { state: true }, formError: { state: true }, busy: { state: true }, recovery: { state: true },
  };
  declare entries: TfaEntry[] | undefined;
  declare error: string | undefined;
  declare adding: Adding | undefined;
  declare formError: string | undefined;
  declare busy: boolean;
  /** Recovery keys just generated: shown once. */
  declare recovery: string[] | undefined;
  private secret = '';

  constructor() {
    super();
    this.busy = false;
  }

  private get userid(): string {
    return session.username ?? '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.entries = await tfa.list(this.userid);
      this.error = undefined;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private open(kind: Adding): void {
    this.adding = kind;
    this.formError = undefined;
    this.recovery = undefined;
    if (kind === 'totp') this.secret = newTotpSecret();
  }

  private close(): void {
    this.renderRoot.querySelector<StDialog>('st-dialog#add')?.close();
  }

  private async submit(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const f = new FormData(ev.target as HTMLFormElement);
    const password = String(f.get('password') ?? '');
    const description = String(f.get('description') ?? '').trim();
    this.busy = true;
    this.formError = undefined;
    try {
      if (this.adding === 'totp') {
        const code = String(f.get('code') ?? '').replace(/\s+/g, '');
        if (!/^\d{6}$/.test(code)) throw new Error('Enter the 6-digit code the app shows, to prove it is set up.');
        await tfa.add(this.userid, { type: 'totp', description: description || 'Authenticator app', totp: totpUri(this.userid, this.secret), value: code, password });
        notify('ok', 'Authenticator app added');
        this.close();
      } else if (this.adding === 'webauthn') {
        const first = await tfa.add(this.userid, { type: 'webauthn', description: description || 'Security key', password });
        if (!first.challenge) throw new Error('the server sent no registration challenge');
        const attestation = await createCredential(creationOptions(first.challenge));
        await tfa.add(this.userid, { type: 'webauthn', description: description || 'Security key', challenge: first.challenge, value: attestation, password });
        notify('ok', 'Security key added');
        this.close();
      } else {
        const r = await tfa.add(this.userid, { type: 'recovery', password });
        this.recovery = r.recovery ?? [];
      }
      await this.load();
    } catch (err) {
      this.formError = err instanceof DOMException && err.name === 'NotAllowedError' ? 'The security key request was cancelled or timed out.' : errorText(err);
    } finally {
      this.busy = false;
    }
  }

  private async removeEntry(e: TfaEntry): Promise<void> {
    const answer = await ask({
      heading: `Remove “${e.description ?? TFA_TYPE_LABEL[e.type] ?? e.type}”?`,
      message: 'This second factor stops working for your logins. Enter your password to confirm.',
      action: 'Remove',
      danger: true,
      password: true,
    });
    if (!answer) return;
    try {
      await tfa.remove(this.userid, e.id, answer.password);
      notify('ok', 'Second factor removed');
    } catch (err) {
      notifyError(err, 'Removing failed');
    }
    await this.load();
  }

  private async copyKeys(): Promise<void> {
    await navigator.clipboard.writeText((this.recovery ?? []).join('\n'));
    notify('ok', 'Recovery keys copied');
  }

  private renderForm() {
    const kind = this.adding;
    if (!kind) return nothing;
    const heading = kind === 'totp' ? 'Add an authenticator app' : kind === 'webauthn' ? 'Add a security key' : 'Recovery keys';
    if (this.recovery) {
      return html`<st-dialog id="add" open heading=${heading} @close=${() => { this.adding = undefined; this.recovery = undefined; }}>
        <p>Store these keys somewhere safe. Each works once, when no other factor is at hand. <strong>They are shown only now.</strong></p>
        <div class="keys" aria-label="Recovery keys">${this.recovery.join('\n')}</div>
        <button slot="actions" @click=${this.copyKeys}>Copy</button>
        <button slot="actions" class="primary" @click=${this.close}>Done</button>
      </st-dialog>`;
    }
    const uri = totpUri(this.userid, this.secret);
    return html`<st-dialog id="add" open heading=${heading} @close=${() => { this.adding = undefined; }}>
      <form id="add-form" @submit=${this.submit} novalidate>
        ${this.formError ? html`<div class="error-box" role="alert">${this.formError}</div>` : nothing}
        ${kind === 'totp' ? html`<div class="enrol">
            <st-qr .value=${uri} label="QR code for the authenticator app"></st-qr>
            <div><p>Scan the code with an authenticator app, or enter this secret:</p>
              <p class="mono" aria-label="TOTP secret">${this.secret.replace(/(.{4})/g, '$1 ').trim()}</p>
              <label for="code">Code shown by the app</label>
              <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="8" required></div>
          </div>` : nothing}
        ${kind === 'webauthn' && !webauthnSupported() ? html`<div class="error-box">This browser does not support security keys.</div>` : nothing}
        ${kind === 'recovery' ? html`<p>Generates a new set of one-time recovery keys; earlier ones stop working.</p>` : nothing}
        ${kind !== 'recovery' ? html`<label for="description">Name</label>
          <input id="description" name="description" maxlength="255" placeholder=${kind === 'totp' ? 'Phone' : 'YubiKey'}>` : nothing}
        <label for="tfa-password">Your password</label>
        <input id="tfa-password" name="password" type="password" autocomplete="current-password" maxlength="1024" required>
      </form>
      <button slot="actions" type="submit" form="add-form" class="primary" ?disabled=${this.busy}>
        ${this.busy ? 'Working…' : kind === 'webauthn' ? 'Register key' : kind === 'totp' ? 'Add' : 'Generate'}</button>
    </st-dialog>`;
  }

  override render() {
    return html`
      <div class="row head"><h1>Two-factor authentication</h1><span class="spacer"></span>
        <button @click=${() => this.open('totp')}>Add authenticator app</button>
        <button @click=${() => this.open('webauthn')}>Add security key</button>
        <button @click=${() => this.open('recovery')}>Recovery keys</button>
      </div>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      <div class="card table-wrap"><table class="data" aria-label="Second factors">
        <thead><tr><th>Type</th><th>Name</th><th>Added</th><th></th></tr></thead>
        <tbody>${this.entries?.length ? this.entries.map((e) => html`<tr>
          <td>${TFA_TYPE_LABEL[e.type] ?? e.type}</td><td>${e.description ?? ''}</td><td>${dateTime(e.created)}</td>
          <td><button class="danger" @click=${() => void this.removeEntry(e)}>Remove</button></td></tr>`)
          : html`<tr><td colspan="4" class="muted">No second factor yet: your account is protected by its password only.</td></tr>`}</tbody>
      </table></div>
      ${this.renderForm()}`;
  }
}
customElements.define('st-view-tfa', StViewTfa);
