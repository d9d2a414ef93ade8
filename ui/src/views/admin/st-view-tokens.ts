// API tokens: create (with a ceiling role and an expiry; the secret is shown once, with a copy
// button), list with last use, edit (comment, expiry, enabled, ceiling role), remove. Your own
// tokens; admins pick any user's.
import { css, html, nothing } from 'lit';
import { tokenName } from '../../../../shared/formats.ts';
import { tokens, users } from '../../api/access.ts';
import type { Token } from '../../api/access.ts';
import { session } from '../../api/session.ts';
import { age, dateTime } from '../../lib/format.ts';
import { notify } from '../../lib/notify.ts';
import { baseStyles } from '../../lib/styles.ts';
import { StAdminList, adminStyles, mono } from './st-admin-list.ts';
import type { ListSpec } from './st-admin-list.ts';
import { changedFields, dateInputValue, expiryOf, fieldError, validate } from './forms.ts';

const enabled = (t: Token) => t.enable === undefined || t.enable === true || t.enable === 1;
const nameOf = (t: Token) => t.tokenid.split('!')[1] ?? t.tokenid;
const ROLES: [string, string][] = [['', 'Same as the user’s'], ['Audit', 'Audit (read only)'], ['Manage', 'Manage'], ['Admin', 'Admin']];
const roleOptions = (current = '') => ROLES.map(([v, label]) => html`<option value=${v} ?selected=${v === current}>${label}</option>`);

export class StViewTokens extends StAdminList<Token> {
  static override styles = [baseStyles, adminStyles, css`
    .secret { font-family: var(--st-mono); background: var(--st-surface-2); padding: 0.6rem; border-radius: var(--st-radius); word-break: break-all; }
    .owner { display: flex; align-items: center; gap: 0.5rem; margin-bottom: 0.75rem; }
    .owner select { width: auto; }
  `];

  static override properties = { owner: { state: true }, owners: { state: true }, created: { state: true } };
  /** Whose tokens are shown: the session's user, or (admins) the one picked. */
  declare owner: string;
  /** The users an admin can pick from. */
  declare owners: string[];
  /** The token just created: its secret is shown once. */
  declare created: { tokenid: string; value: string } | undefined;

  protected readonly spec: ListSpec<Token> = {
    title: 'API tokens',
    adminPath: '/access',
    idOf: (t) => t.tokenid,
    empty: 'No tokens.',
    columns: {
      Token: (t) => mono(t.tokenid),
      Enabled: (t) => (enabled(t) ? 'yes' : html`<span class="badge warn">disabled</span>`),
      Role: (t) => t.role ?? '',
      Expires: (t) => (t.expire ? dateTime(t.expire) : 'never'),
      'Last used': (t) => (t['last-used'] ? age(t['last-used']) : 'never'),
      Comment: (t) => t.comment ?? '',
    },
    // Your own tokens are yours to change; the API asks Admin on /access for other users'.
    mayChange: () => true,
    create: {
      button: 'Create token',
      everyone: true,
      heading: 'Create API token',
      submit: 'Create',
      body: () => html`
        <label for="name">Name</label><input id="name" name="name" required maxlength="32" autocapitalize="off" placeholder="backup-script">${fieldError(this.errors, 'name', 'tokenid')}
        <label for="role">Ceiling role</label><select id="role" name="role">${roleOptions()}</select>
        <label><input type="checkbox" name="privsep" checked> Privilege separation (the token's rights are limited to its own grants)</label>
        <label for="expire">Expires</label><input id="expire" name="expire" type="date">${fieldError(this.errors, 'expire')}
        <label for="comment">Comment</label><input id="comment" name="comment" maxlength="4096">`,
      // The dialog stays open (undefined) to show the secret, once.
      save: async (f, form) => {
        const name = validate(tokenName, f.name ?? '');
        if (!name.ok) {
          this.errors = { name: name.errors._ ?? 'invalid name' };
          return undefined;
        }
        const privsep = (form.elements.namedItem('privsep') as HTMLInputElement).checked;
        this.created = await tokens.create(this.owner, name.value, { comment: f.comment, expire: expiryOf(f.expire) || undefined, role: f.role, privsep });
        await this.load();
        return undefined;
      },
    },
    forms: {
      edit: {
        heading: (t) => `Edit ${t.tokenid}`,
        submit: 'Save',
        body: (t) => html`
          <label for="role">Ceiling role</label><select id="role" name="role">${roleOptions(t.role)}</select>
          <label for="expire">Expires (empty: never)</label><input id="expire" name="expire" type="date" .value=${dateInputValue(t.expire)}>${fieldError(this.errors, 'expire')}
          <label for="comment">Comment</label><input id="comment" name="comment" maxlength="4096" .value=${t.comment ?? ''}>${fieldError(this.errors, 'comment')}
          <label><input type="checkbox" name="enable" ?checked=${enabled(t)}> Enabled (the token is accepted)</label>`,
        save: async (f, form, t) => {
          await tokens.update(this.owner, nameOf(t), changedFields(f, form, { ...t, enable: enabled(t) }, ['comment', 'role']));
          return `Token ${t.tokenid} saved`;
        },
      },
    },
    buttons: () => [{ label: 'Edit', form: 'edit' }],
    remove: (t) => ({
      message: 'Scripts using this token stop working at once. This cannot be undone.',
      run: () => tokens.remove(this.owner, nameOf(t)),
    }),
  };

  constructor() {
    super();
    this.owner = session.username ?? '';
    this.owners = [];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.admin) void users.list().then((l) => { this.owners = l.map((u) => u.userid); }, () => undefined);
  }

  protected fetchData(): Promise<Token[]> {
    return tokens.list(this.owner);
  }

  private pickOwner(ev: Event): void {
    this.owner = (ev.target as HTMLSelectElement).value;
    this.data = undefined;
    void this.load();
  }

  protected override renderIntro() {
    if (this.owners.length < 2) return nothing;
    return html`<div class="owner"><label for="owner">Tokens of</label>
      <select id="owner" @change=${this.pickOwner}>${this.owners.map((u) => html`<option ?selected=${u === this.owner}>${u}</option>`)}</select></div>`;
  }

  private async copy(): Promise<void> {
    if (!this.created) return;
    await navigator.clipboard.writeText(`${this.created.tokenid}:${this.created.value}`);
    notify('ok', 'Token copied');
  }

  protected override renderDialog() {
    if (this.dialog !== 'create' || !this.created) return super.renderDialog();
    return html`<st-dialog open heading="Token created" @close=${() => { this.dialog = undefined; this.created = undefined; }}>
      <p>Copy the secret now. <strong>It is shown only once</strong> and cannot be read again.</p>
      <p>Use it as <code>Authorization: StewardAPIToken=${this.created.tokenid}:…</code></p>
      <div class="secret" aria-label="Token secret">${this.created.tokenid}:${this.created.value}</div>
      <button slot="actions" @click=${this.copy}>Copy</button>
      <button slot="actions" class="primary" @click=${() => this.closeDialog()}>Done</button>
    </st-dialog>`;
  }
}
customElements.define('st-view-tokens', StViewTokens);
