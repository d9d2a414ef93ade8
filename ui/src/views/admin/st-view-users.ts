// Users: list, add (Steward realm, with a password), enable/disable, remove.
import { css, html, nothing } from 'lit';
import { userid as useridSchema } from '../../../../shared/formats.ts';
import { users } from '../../api/access.ts';
import type { User } from '../../api/access.ts';
import { errorText } from '../../api/client.ts';
import { session } from '../../api/session.ts';
import '../../components/st-dialog.ts';
import { dateTime } from '../../lib/format.ts';
import { notify, notifyError } from '../../lib/notify.ts';
import { baseStyles } from '../../lib/styles.ts';
import { StAdminList } from './st-admin-list.ts';
import { apiFieldErrors, fieldError, formValues, validate } from './forms.ts';
import type { FieldErrors } from './forms.ts';

const enabled = (u: User) => u.enable === undefined || u.enable === true || u.enable === 1;

export class StViewUsers extends StAdminList<User> {
  static override styles = [baseStyles, css`:host { display: block; } .head { margin-bottom: 1rem; } .head h1 { margin: 0; }`];
  static override properties = { creating: { state: true }, errors: { state: true }, busy: { state: true } };
  declare creating: boolean;
  declare errors: FieldErrors;
  declare busy: boolean;

  constructor() {
    super();
    this.creating = false;
    this.errors = {};
    this.busy = false;
  }

  protected fetchList(): Promise<User[]> {
    return users.list();
  }

  private async openCreate(): Promise<void> {
    this.creating = true;
    this.errors = {};
    await this.showDialog();
  }

  private async onCreate(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const f = formValues(ev.target as HTMLFormElement);
    const id = validate(useridSchema, f.userid ?? '');
    if (!id.ok) {
      this.errors = { userid: id.errors._ ?? 'invalid user id' };
      return;
    }
    if ((f.password ?? '').length < 8) {
      this.errors = { password: 'at least 8 characters' };
      return;
    }
    this.busy = true;
    try {
      await users.create({ userid: id.value, password: f.password, email: f.email, comment: f.comment });
      this.closeDialog();
      notify('ok', `User ${id.value} created`);
      await this.load();
    } catch (err) {
      this.errors = { ...apiFieldErrors(err), _: errorText(err) };
    } finally {
      this.busy = false;
    }
  }

  private async setEnabled(u: User, enable: boolean): Promise<void> {
    try {
      await users.update(u.userid, { enable, digest: u.digest });
      notify('ok', `${u.userid} ${enable ? 'enabled' : 'disabled'}`);
    } catch (err) {
      notifyError(err);
    }
    await this.load();
  }

  private async removeUser(u: User): Promise<void> {
    if (!confirm(`Remove user ${u.userid}, with their tokens and second factors?`)) return;
    try {
      await users.remove(u.userid);
      notify('ok', `User ${u.userid} removed`);
    } catch (err) {
      notifyError(err);
    }
    await this.load();
  }

  override render() {
    const admin = session.can('/access', 'admin');
    return html`
      <div class="row head"><h1>Users</h1><span class="spacer"></span>${admin ? html`<button class="primary" @click=${this.openCreate}>Add user</button>` : nothing}</div>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      <div class="card table-wrap"><table class="data" aria-label="Users">
        <thead><tr><th>User</th><th>Groups</th><th>Enabled</th><th>Expires</th><th>E-mail</th><th>Comment</th>${admin ? html`<th></th>` : nothing}</tr></thead>
        <tbody>${(this.list ?? []).map((u) => html`<tr>
          <td>${u.userid}</td><td>${u.groups?.join(', ') ?? ''}</td><td>${enabled(u) ? 'yes' : html`<span class="badge warn">disabled</span>`}</td>
          <td>${u.expire ? dateTime(u.expire) : 'never'}</td><td>${u.email ?? ''}</td><td>${u.comment ?? ''}</td>
          ${admin ? html`<td class="row">
            <button @click=${() => void this.setEnabled(u, !enabled(u))}>${enabled(u) ? 'Disable' : 'Enable'}</button>
            ${u.userid !== session.username ? html`<button class="danger" @click=${() => void this.removeUser(u)}>Remove</button>` : nothing}</td>` : nothing}
        </tr>`)}</tbody></table></div>
      ${this.creating ? html`<st-dialog heading="Add user" @close=${() => { this.creating = false; }}>
        <form id="user-form" @submit=${this.onCreate} novalidate>
          ${this.errors._ ? html`<div class="error-box" role="alert">${this.errors._}</div>` : nothing}
          <label for="userid">User id</label><input id="userid" name="userid" required maxlength="128" autocapitalize="off" placeholder="alice@steward">${fieldError(this.errors, 'userid')}
          <label for="password">Password</label><input id="password" name="password" type="password" required maxlength="1024" autocomplete="new-password">${fieldError(this.errors, 'password')}
          <label for="email">E-mail</label><input id="email" name="email" type="email" maxlength="254">${fieldError(this.errors, 'email')}
          <label for="comment">Comment</label><input id="comment" name="comment" maxlength="4096">
        </form>
        <button slot="actions" type="submit" form="user-form" class="primary" ?disabled=${this.busy}>Add</button>
      </st-dialog>` : nothing}`;
  }
}
customElements.define('st-view-users', StViewUsers);
