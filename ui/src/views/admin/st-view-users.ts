// Users: list with their second-factor lock state; for admins add (Steward realm, with a
// password), edit (name, e-mail, comment, expiry, enabled), set another user's password,
// unlock second factors after a lockout, and remove (typing the user id).
import { html, nothing } from 'lit';
import { userid as useridSchema } from '../../../../shared/formats.ts';
import { tfa, users } from '../../api/access.ts';
import type { TfaUser, User } from '../../api/access.ts';
import { session } from '../../api/session.ts';
import { dateTime } from '../../lib/format.ts';
import { StAdminList } from './st-admin-list.ts';
import type { Column } from './st-admin-list.ts';
import { dateInputValue, expiryOf, fieldError, formValues, validate } from './forms.ts';

type Row = User & { lock?: TfaUser };

const enabled = (u: User) => u.enable === undefined || u.enable === true || u.enable === 1;
const locked = (r: Row) => Boolean(r.lock?.['totp-locked'] || (r.lock?.['tfa-locked-until'] ?? 0) * 1000 > Date.now());
const EDITABLE = ['firstname', 'lastname', 'email', 'comment'] as const;

function lockText(r: Row) {
  if (!r.lock?.entries.length) return 'none';
  const until = r.lock['tfa-locked-until'] ?? 0;
  if (until * 1000 > Date.now()) return html`<span class="badge error">blocked until ${dateTime(until)}</span>`;
  if (r.lock['totp-locked']) return html`<span class="badge error">TOTP locked</span>`;
  return `${r.lock.entries.length} factor${r.lock.entries.length === 1 ? '' : 's'}`;
}

export class StViewUsers extends StAdminList<Row> {
  protected readonly pageTitle = 'Users';
  /** The user the open dialog is about (edit, password). */
  private target: Row | undefined;

  protected async fetchData(): Promise<Row[]> {
    const [list, locks] = await Promise.all([users.list(), tfa.users()]);
    const byId = new Map(locks.map((l) => [l.userid, l]));
    return list.map((u) => ({ ...u, lock: byId.get(u.userid) }));
  }

  private get admin(): boolean {
    return session.can('/access', 'admin');
  }

  protected columns(): Column<Row>[] {
    return [
      { label: 'User', cell: (u) => u.userid },
      { label: 'Name', cell: (u) => [u.firstname, u.lastname].filter(Boolean).join(' ') },
      { label: 'Enabled', cell: (u) => (enabled(u) ? 'yes' : html`<span class="badge warn">disabled</span>`) },
      { label: 'Expires', cell: (u) => (u.expire ? dateTime(u.expire) : 'never') },
      { label: 'Second factors', cell: lockText },
      { label: 'E-mail', cell: (u) => u.email ?? '' },
      { label: 'Comment', cell: (u) => u.comment ?? '' },
    ];
  }

  protected override headActions() {
    return this.admin ? html`<button class="primary" @click=${() => void this.openDialog('create')}>Add user</button>` : nothing;
  }

  protected override hasRowActions(): boolean {
    return this.admin;
  }

  protected override rowActions(u: Row) {
    const self = u.userid === session.username;
    return html`<button @click=${() => void this.open('edit', u)} aria-label="Edit ${u.userid}">Edit</button>
      ${self ? nothing : html`<button @click=${() => void this.open('password', u)} aria-label="Set password of ${u.userid}">Password</button>`}
      ${locked(u) ? html`<button @click=${() => void this.unlock(u)} aria-label="Unlock second factors of ${u.userid}">Unlock TFA</button>` : nothing}
      ${self ? nothing : html`<button class="danger" @click=${() => void this.removeUser(u)} aria-label="Remove ${u.userid}">Remove</button>`}`;
  }

  private async open(dialog: 'edit' | 'password', u: Row): Promise<void> {
    this.target = u;
    await this.openDialog(dialog);
  }

  private onCreate(ev: SubmitEvent): Promise<void> {
    const f = formValues(ev.target as HTMLFormElement);
    return this.submit(async () => {
      const id = validate(useridSchema, f.userid ?? '');
      if (!id.ok) {
        this.errors = { userid: id.errors._ ?? 'invalid user id' };
        return undefined;
      }
      if ((f.password ?? '').length < 8) {
        this.errors = { password: 'at least 8 characters' };
        return undefined;
      }
      await users.create({ userid: id.value, password: f.password, email: f.email, comment: f.comment });
      return `User ${id.value} created`;
    });
  }

  /** Sends only what changed: moving the expiry or disabling ends the user's sessions. */
  private onEdit(ev: SubmitEvent): Promise<void> {
    const u = this.target!;
    const form = ev.target as HTMLFormElement;
    const f = formValues(form);
    const body: Record<string, unknown> = { digest: u.digest };
    const cleared: string[] = [];
    for (const k of EDITABLE) {
      if ((f[k] ?? '') === (u[k] ?? '')) continue;
      if (f[k] === undefined) cleared.push(k);
      else body[k] = f[k];
    }
    if (cleared.length) body.delete = cleared;
    if ((f.expire ?? '') !== dateInputValue(u.expire)) body.expire = expiryOf(f.expire);
    const enable = (form.elements.namedItem('enable') as HTMLInputElement).checked;
    if (enable !== enabled(u)) body.enable = enable;
    return this.submit(async () => {
      await users.update(u.userid, body);
      return `User ${u.userid} saved`;
    });
  }

  private onPassword(ev: SubmitEvent): Promise<void> {
    const u = this.target!;
    const f = new FormData(ev.target as HTMLFormElement);
    const password = String(f.get('password') ?? '');
    return this.submit(async () => {
      if (password.length < 8) {
        this.errors = { password: 'at least 8 characters' };
        return undefined;
      }
      if (password !== String(f.get('repeat') ?? '')) {
        this.errors = { repeat: 'the two passwords differ' };
        return undefined;
      }
      await users.setPassword(u.userid, password, String(f.get('confirmation') ?? ''));
      return `Password of ${u.userid} set`;
    });
  }

  private unlock(u: Row): Promise<void> {
    return this.confirmed({
      heading: `Unlock second factors of ${u.userid}?`,
      message: 'The lock after too many wrong codes is lifted, and the user can log in with their second factors again.',
      action: 'Unlock',
    }, async () => {
      await tfa.unlock(u.userid);
      return `Second factors of ${u.userid} unlocked`;
    });
  }

  private removeUser(u: Row): Promise<void> {
    return this.confirmed({
      heading: `Remove ${u.userid}?`,
      message: html`The user <strong>${u.userid}</strong> is deleted with their API tokens, second factors and permissions. This cannot be undone.`,
      action: 'Remove',
      danger: true,
      typeToConfirm: u.userid,
    }, async () => {
      await users.remove(u.userid, u.digest);
      return `User ${u.userid} removed`;
    });
  }

  protected override renderDialog() {
    const u = this.target;
    if (this.dialog === 'create') {
      return this.renderFormDialog({ heading: 'Add user', submit: 'Add', onSubmit: (ev) => this.onCreate(ev), body: html`
        <label for="userid">User id</label><input id="userid" name="userid" required maxlength="128" autocapitalize="off" placeholder="alice@steward">${fieldError(this.errors, 'userid')}
        <label for="password">Password</label><input id="password" name="password" type="password" required maxlength="1024" autocomplete="new-password">${fieldError(this.errors, 'password')}
        <label for="email">E-mail</label><input id="email" name="email" type="email" maxlength="254">${fieldError(this.errors, 'email')}
        <label for="comment">Comment</label><input id="comment" name="comment" maxlength="4096">` });
    }
    if (this.dialog === 'edit' && u) {
      return this.renderFormDialog({ heading: `Edit ${u.userid}`, submit: 'Save', onSubmit: (ev) => this.onEdit(ev), body: html`
        <label for="firstname">First name</label><input id="firstname" name="firstname" maxlength="64" .value=${u.firstname ?? ''}>${fieldError(this.errors, 'firstname')}
        <label for="lastname">Last name</label><input id="lastname" name="lastname" maxlength="64" .value=${u.lastname ?? ''}>${fieldError(this.errors, 'lastname')}
        <label for="email">E-mail</label><input id="email" name="email" type="email" maxlength="254" .value=${u.email ?? ''}>${fieldError(this.errors, 'email')}
        <label for="comment">Comment</label><input id="comment" name="comment" maxlength="4096" .value=${u.comment ?? ''}>${fieldError(this.errors, 'comment')}
        <label for="expire">Expires (empty: never)</label><input id="expire" name="expire" type="date" .value=${dateInputValue(u.expire)}>${fieldError(this.errors, 'expire')}
        <label><input type="checkbox" name="enable" ?checked=${enabled(u)} ?disabled=${u.userid === session.username}> Enabled (may log in)</label>
        <p class="muted">Disabling the user or changing the expiry ends their running sessions.</p>` });
    }
    if (this.dialog === 'password' && u) {
      return this.renderFormDialog({ heading: `Set the password of ${u.userid}`, submit: 'Set password', onSubmit: (ev) => this.onPassword(ev), body: html`
        <label for="password">New password</label><input id="password" name="password" type="password" required minlength="8" maxlength="1024" autocomplete="new-password">${fieldError(this.errors, 'password')}
        <label for="repeat">Repeat the new password</label><input id="repeat" name="repeat" type="password" required maxlength="1024" autocomplete="new-password">${fieldError(this.errors, 'repeat')}
        <label for="confirmation">Your own password</label><input id="confirmation" name="confirmation" type="password" required maxlength="1024" autocomplete="current-password">${fieldError(this.errors, 'confirmation-password')}
        <p class="muted">The user's running sessions end.</p>` });
    }
    return nothing;
  }
}
customElements.define('st-view-users', StViewUsers);
