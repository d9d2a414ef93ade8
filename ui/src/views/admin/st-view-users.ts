// Users: list with their second-factor lock state; for admins add (Steward realm, with a
// password), edit (name, e-mail, comment, expiry, enabled), set another user's password,
// unlock second factors after a lockout, and remove (typing the user id).
import { html, nothing } from 'lit';
import { userid as useridSchema } from '../../../../shared/formats.ts';
import { TFA_TYPE_LABEL, tfa, users } from '../../api/access.ts';
import type { TfaUser, User } from '../../api/access.ts';
import { session } from '../../api/session.ts';
import { dateTime } from '../../lib/format.ts';
import { StAdminList } from './st-admin-list.ts';
import type { ListSpec } from './st-admin-list.ts';
import { changedFields, dateInputValue, fieldError, validate } from './forms.ts';

type Row = User & { lock?: TfaUser };

const enabled = (u: User) => u.enable === undefined || u.enable === true || u.enable === 1;
const locked = (r: Row) => Boolean(r.lock?.['totp-locked'] || (r.lock?.['tfa-locked-until'] ?? 0) * 1000 > Date.now());

/** The user's kinds of second factor, and a badge while they are locked out. */
function factors(r: Row) {
  if (!r.lock?.entries.length) return 'none';
  const kinds = [...new Set(r.lock.entries.map((e) => TFA_TYPE_LABEL[e.type] ?? e.type))].join(', ');
  const until = r.lock['tfa-locked-until'] ?? 0;
  const badge = until * 1000 > Date.now() ? html` <span class="badge error">blocked until ${dateTime(until)}</span>`
    : r.lock['totp-locked'] ? html` <span class="badge error">TOTP locked</span>` : nothing;
  return html`${kinds}${badge}`;
}

export class StViewUsers extends StAdminList<Row> {
  protected readonly spec: ListSpec<Row> = {
    title: 'Users',
    adminPath: '/access',
    idOf: (u) => u.userid,
    columns: {
      User: (u) => u.userid,
      Name: (u) => [u.firstname, u.lastname].filter(Boolean).join(' '),
      Groups: (u) => u.groups?.join(', ') ?? '',
      Enabled: (u) => (enabled(u) ? 'yes' : html`<span class="badge warn">disabled</span>`),
      Expires: (u) => (u.expire ? dateTime(u.expire) : 'never'),
      'Second factors': factors,
      'E-mail': (u) => u.email ?? '',
      Comment: (u) => u.comment ?? '',
    },
    create: {
      button: 'Add user',
      submit: 'Add',
      body: () => html`
        <label for="userid">User id</label><input id="userid" name="userid" required maxlength="128" autocapitalize="off" placeholder="alice@steward">${fieldError(this.errors, 'userid')}
        <label for="password">Password</label><input id="password" name="password" type="password" required maxlength="1024" autocomplete="new-password">${fieldError(this.errors, 'password')}
        <label for="email">E-mail</label><input id="email" name="email" type="email" maxlength="254">${fieldError(this.errors, 'email')}
        <label for="comment">Comment</label><input id="comment" name="comment" maxlength="4096">`,
      save: async (f) => {
        const id = validate(useridSchema, f.userid ?? '');
        if (!id.ok || (f.password ?? '').length < 8) {
          this.errors = !id.ok ? { userid: id.errors._ ?? 'invalid user id' } : { password: 'at least 8 characters' };
          return undefined;
        }
        await users.create({ userid: id.value, password: f.password, email: f.email, comment: f.comment });
        return `User ${id.value} created`;
      },
    },
    forms: {
      edit: {
        heading: (u) => `Edit ${u.userid}`,
        submit: 'Save',
        body: (u) => html`
          <label for="firstname">First name</label><input id="firstname" name="firstname" maxlength="64" .value=${u.firstname ?? ''}>${fieldError(this.errors, 'firstname')}
          <label for="lastname">Last name</label><input id="lastname" name="lastname" maxlength="64" .value=${u.lastname ?? ''}>${fieldError(this.errors, 'lastname')}
          <label for="email">E-mail</label><input id="email" name="email" type="email" maxlength="254" .value=${u.email ?? ''}>${fieldError(this.errors, 'email')}
          <label for="comment">Comment</label><input id="comment" name="comment" maxlength="4096" .value=${u.comment ?? ''}>${fieldError(this.errors, 'comment')}
          <label for="groups">Groups (comma-separated; roles granted to a group apply to its members)</label><input id="groups" name="groups" maxlength="1100" .value=${u.groups?.join(', ') ?? ''}>${fieldError(this.errors, 'groups')}
          <label for="expire">Expires (empty: never)</label><input id="expire" name="expire" type="date" .value=${dateInputValue(u.expire)}>${fieldError(this.errors, 'expire')}
          <label><input type="checkbox" name="enable" ?checked=${enabled(u)} ?disabled=${u.userid === session.username}> Enabled (may log in)</label>
          <p class="muted">Disabling the user or changing the expiry ends their running sessions.</p>`,
        // Only what changed is sent: moving the expiry or disabling ends the user's sessions.
        save: async (f, form, u) => {
          const body = changedFields(f, form, { ...u, enable: enabled(u) }, ['firstname', 'lastname', 'email', 'comment']);
          const groups = (f.groups ?? '').split(/[\s,]+/).filter(Boolean);
          if (groups.join(',') !== (u.groups ?? []).join(',')) body.groups = groups;
          await users.update(u.userid, body);
          return `User ${u.userid} saved`;
        },
      },
      password: {
        heading: (u) => `Set the password of ${u.userid}`,
        submit: 'Set password',
        body: () => html`
          <label for="password">New password</label><input id="password" name="password" type="password" required minlength="8" maxlength="1024" autocomplete="new-password">${fieldError(this.errors, 'password')}
          <label for="repeat">Repeat the new password</label><input id="repeat" name="repeat" type="password" required maxlength="1024" autocomplete="new-password">${fieldError(this.errors, 'repeat')}
          <label for="confirmation">Your own password</label><input id="confirmation" name="confirmation" type="password" required maxlength="1024" autocomplete="current-password">${fieldError(this.errors, 'confirmation-password')}
          <p class="muted">The user's running sessions end.</p>`,
        save: async (f, _form, u) => {
          const password = f.password ?? '';
          if (password.length < 8 || password !== f.repeat) {
            this.errors = password.length < 8 ? { password: 'at least 8 characters' } : { repeat: 'the two passwords differ' };
            return undefined;
          }
          await users.setPassword(u.userid, password, f.confirmation ?? '');
          return `Password of ${u.userid} set`;
        },
      },
    },
    buttons: (u) => [
      { label: 'Edit', form: 'edit' },
      u.userid !== session.username && { label: 'Password', name: `Set password of ${u.userid}`, form: 'password' },
      locked(u) && { label: 'Unlock TFA', name: `Unlock second factors of ${u.userid}`, run: () => this.unlock(u) },
    ],
    remove: (u) => (u.userid === session.username ? undefined : {
      message: html`The user <strong>${u.userid}</strong> is deleted with their API tokens, second factors and permissions. This cannot be undone.`,
      typeId: true,
      run: () => users.remove(u.userid, u.digest),
    }),
  };

  protected async fetchData(): Promise<Row[]> {
    const [list, locks] = await Promise.all([users.list(), tfa.users()]);
    const byId = new Map(locks.map((l) => [l.userid, l]));
    return list.map((u) => ({ ...u, lock: byId.get(u.userid) }));
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
}
customElements.define('st-view-users', StViewUsers);
