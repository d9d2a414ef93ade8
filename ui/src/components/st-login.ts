// The login page: user name and password, then — for users with TFA — the second step
// with whichever factors the challenge offers (TOTP code, security key, recovery key).
import { LitElement, css, html, nothing } from 'lit';
import { ApiRequestError, errorText } from '../api/client.ts';
import { session } from '../api/session.ts';
import type { TfaAnswer, TfaChallenge } from '../api/session.ts';
import type { RequestOptionsJson } from '../api/webauthn.ts';
import { getAssertion, webauthnSupported } from '../api/webauthn.ts';
import { baseStyles } from '../lib/styles.ts';

type Factor = 'totp' | 'webauthn' | 'recovery';

/** Messages per error code: say what happened and what to do, without guessing which part was wrong. */
function loginMessage(err: unknown): string {
  if (err instanceof ApiRequestError) {
    switch (err.code) {
      case 'auth_failed': return 'Login failed. Check the user name and password (or the second factor) and try again.';
      case 'tfa_locked': return 'Second factors are locked after too many failures. Use a recovery key, or ask an administrator to unlock them.';
      case 'ip_blocked': return `Access from this address is not allowed. ${err.message}`;
      case 'rate_limited': return 'Too many attempts. Wait a minute and try again.';
      default: return errorText(err);
    }
  }
  if (err instanceof DOMException && err.name === 'NotAllowedError') return 'The security key request was cancelled or timed out.';
  return errorText(err);
}

function webauthnOptions(tfa: TfaChallenge): RequestOptionsJson | undefined {
  const w = tfa.webauthn;
  if (!w) return undefined;
  return 'publicKey' in w ? (w.publicKey as RequestOptionsJson) : w;
}

export class StLogin extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: grid; place-items: center; min-height: 100vh; padding: 1rem; }
      .card { width: min(24rem, 100%); padding: 1.75rem; box-shadow: var(--st-shadow); }
      .brand { display: flex; align-items: center; gap: 0.6rem; margin-bottom: 1.25rem; }
      .brand svg { width: 2rem; height: 2rem; color: var(--st-accent); }
      .brand h1 { margin: 0; }
      form button.primary { width: 100%; margin-top: 1.1rem; }
      .tabs { display: flex; gap: 0.25rem; margin: 0.5rem 0 0.25rem; border-bottom: 1px solid var(--st-border); }
      .tabs button { border: none; border-radius: 0; background: none; border-bottom: 2px solid transparent; }
      .tabs button[aria-selected='true'] { border-bottom-color: var(--st-accent); color: var(--st-accent); font-weight: 600; }
      .link { background: none; border: none; color: var(--st-accent); padding: 0; min-height: 0; margin-top: 0.8rem; }
      .info { background: var(--st-warn-bg); color: var(--st-warn); border-radius: var(--st-radius); padding: 0.6rem 0.8rem; margin-bottom: 0.5rem; }
    `,
  ];

  static override properties = {
    step: { state: true },
    busy: { state: true },
    error: { state: true },
    factor: { state: true },
  };

  declare step: 'password' | 'tfa';
  declare busy: boolean;
  declare error: string | undefined;
  declare factor: Factor;
  private username = '';
  private challenge = '';
  private tfa: TfaChallenge = {};

  constructor() {
    super();
    this.step = 'password';
    this.busy = false;
    this.factor = 'totp';
  }

  private factors(): Factor[] {
    const out: Factor[] = [];
    if (this.tfa.totp) out.push('totp');
    if (webauthnOptions(this.tfa) && webauthnSupported()) out.push('webauthn');
    if (this.tfa.recovery) out.push('recovery');
    // A challenge that lists nothing still accepts a TOTP code or a recovery key.
    return out.length ? out : ['totp', 'recovery'];
  }

  private async onPassword(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const form = new FormData(ev.target as HTMLFormElement);
    const username = String(form.get('username') ?? '').trim();
    const password = String(form.get('password') ?? '');
    if (!username || !password) {
      this.error = 'Enter your user name (for example root@pam or alice@steward) and password.';
      return;
    }
    this.busy = true;
    this.error = undefined;
    try {
      const result = await session.login(username, password);
      if (result.kind === 'tfa') {
        this.username = result.username;
        this.challenge = result.challenge;
        this.tfa = result.tfa;
        this.factor = this.factors()[0]!;
        this.step = 'tfa';
        if (this.factor === 'webauthn') void this.useSecurityKey();
      }
    } catch (err) {
      this.error = loginMessage(err);
    } finally {
      this.busy = false;
    }
  }

  private async answer(answer: TfaAnswer): Promise<void> {
    this.busy = true;
    this.error = undefined;
    try {
      await session.answerTfa(this.username, this.challenge, answer);
    } catch (err) {
      this.error = loginMessage(err);
      // A refused answer uses up the challenge on the server: start over from the password.
      if (err instanceof ApiRequestError && err.code !== 'validation') this.restart(this.error);
    } finally {
      this.busy = false;
    }
  }

  private restart(message?: string): void {
    this.step = 'password';
    this.challenge = '';
    this.tfa = {};
    this.error = message;
  }

  private async onTfaSubmit(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const value = String(new FormData(ev.target as HTMLFormElement).get('code') ?? '').trim();
    if (this.factor === 'totp') {
      if (!/^\d{6,8}$/.test(value.replace(/\s+/g, ''))) {
        this.error = 'Enter the 6-digit code from your authenticator app.';
        return;
      }
      await this.answer({ kind: 'totp', code: value });
    } else {
      if (!value) {
        this.error = 'Enter one of your recovery keys.';
        return;
      }
      await this.answer({ kind: 'recovery', key: value });
    }
  }

  private async useSecurityKey(): Promise<void> {
    const options = webauthnOptions(this.tfa);
    if (!options) return;
    this.busy = true;
    this.error = undefined;
    let assertion: string;
    try {
      assertion = await getAssertion(options);
    } catch (err) {
      this.busy = false;
      this.error = loginMessage(err);
      return;
    }
    await this.answer({ kind: 'webauthn', assertion });
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('step') || changed.has('factor')) {
      this.renderRoot.querySelector<HTMLInputElement>('input:not([type=hidden])')?.focus();
    }
  }

  private renderPassword() {
    return html`
      <form @submit=${this.onPassword} novalidate>
        <label for="username">User name</label>
        <input id="username" name="username" autocomplete="username" autocapitalize="off" spellcheck="false" maxlength="128" required
          placeholder="user@realm" .value=${this.username}>
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" maxlength="1024" required>
        <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Logging in…' : 'Log in'}</button>
      </form>`;
  }

  private renderTfa() {
    const factors = this.factors();
    const labels: Record<Factor, string> = { totp: 'Authenticator app', webauthn: 'Security key', recovery: 'Recovery key' };
    return html`
      <p class="muted">Second factor for <strong>${this.username}</strong>.</p>
      ${factors.length > 1
        ? html`<div class="tabs" role="tablist">
            ${factors.map((f) => html`<button role="tab" type="button" aria-selected=${String(f === this.factor)}
              @click=${() => { this.factor = f; this.error = undefined; }}>${labels[f]}</button>`)}
          </div>`
        : nothing}
      ${this.factor === 'webauthn'
        ? html`<p>Insert or touch your security key.</p>
            <button class="primary" type="button" ?disabled=${this.busy} @click=${this.useSecurityKey}>
              ${this.busy ? 'Waiting for the key…' : 'Use security key'}</button>`
        : html`<form @submit=${this.onTfaSubmit} novalidate>
            ${this.factor === 'totp'
              ? html`<label for="code">Code from your authenticator app</label>
                  <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="10" pattern="[0-9 ]*" required>`
              : html`<label for="code">Recovery key</label>
                  <input id="code" name="code" autocomplete="off" autocapitalize="off" spellcheck="false" maxlength="64" required>`}
            <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Checking…' : 'Verify'}</button>
          </form>`}
      <button class="link" type="button" @click=${() => this.restart()}>Back to password</button>`;
  }

  override render() {
    return html`
      <main class="card" aria-labelledby="title">
        <div class="brand">
          <svg viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M12 2 3 6v6c0 5 3.8 9.3 9 10 5.2-.7 9-5 9-10V6l-9-4Zm0 2.2 7 3.1V12c0 3.9-2.9 7.3-7 8-4.1-.7-7-4.1-7-8V7.3l7-3.1Zm-1 3.8v5H8l4 5 4-5h-3V8h-2Z"/></svg>
          <h1 id="title">Steward</h1>
        </div>
        ${session.endReason === 'expired' && this.step === 'password' && !this.error
          ? html`<div class="info" role="status">Your session has expired. Please log in again.</div>`
          : nothing}
        ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
        ${this.step === 'password' ? this.renderPassword() : this.renderTfa()}
      </main>`;
  }
}
customElements.define('st-login', StLogin);
