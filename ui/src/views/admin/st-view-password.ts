// Change the logged-in user's password (the current one is asked again).
import { LitElement, css, html, nothing } from 'lit';
import { changePassword } from '../../api/access.ts';
import { errorText } from '../../api/client.ts';
import { session } from '../../api/session.ts';
import { baseStyles } from '../../lib/styles.ts';

export class StViewPassword extends LitElement {
  static override styles = [baseStyles, css`:host { display: block; } form { max-width: 26rem; } .row { margin-top: 1rem; }`];
  static override properties = { error: { state: true }, done: { state: true }, busy: { state: true } };
  declare error: string | undefined;
  declare done: boolean;
  declare busy: boolean;

  constructor() {
    super();
    this.done = false;
    this.busy = false;
  }

  private async submit(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const form = ev.target as HTMLFormElement;
    const f = new FormData(form);
    const next = String(f.get('new') ?? '');
    if (next.length < 8) {
      this.error = 'The new password needs at least 8 characters.';
      return;
    }
    if (next !== String(f.get('repeat') ?? '')) {
      this.error = 'The two new passwords differ.';
      return;
    }
    this.busy = true;
    try {
      await changePassword(session.username ?? '', next, String(f.get('old') ?? ''));
      this.error = undefined;
      this.done = true;
      form.reset();
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    return html`<h1>Change password</h1>
      <form class="card" @submit=${this.submit} novalidate>
        ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
        ${this.done ? html`<div class="ok-box" role="status">Password changed.</div>` : nothing}
        <label for="old">Current password</label><input id="old" name="old" type="password" autocomplete="current-password" required maxlength="1024">
        <label for="new">New password</label><input id="new" name="new" type="password" autocomplete="new-password" required maxlength="1024">
        <label for="repeat">New password again</label><input id="repeat" name="repeat" type="password" autocomplete="new-password" required maxlength="1024">
        <div class="row"><button class="primary" type="submit" ?disabled=${this.busy}>Change password</button></div>
      </form>`;
  }
}
customElements.define('st-view-password', StViewPassword);
