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
import { StAdminList, adminStyles } from './st-admin-list.ts';
import type { Column } from './st-admin-list.ts';
import { apiFieldErrors, dateInputValue, expiryOf, fieldError, formValues, validate } from './forms.ts';
import { errorText } from '../../api/client.ts';
import { baseStyles } from '../../lib/styles.ts';

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
  protected readonly pageTitle = 'API tokens';
  /** Whose tokens are shown: the session's user, or (admins) the one picked. */
  declare owner: string;
  /** The users an admin can pick from. */
  declare owners: string[];
  /** The token just created: its secret is shown once. */
  declare created: { tokenid: string; value: string } | undefined;
  private target: Token | undefined;

  protected override emptyText(): string {
    return 'No tokens.';
  }

  constructor() {
    super();
    this.owner = session.username ?? '';
    this.owners = [];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (session.can('/access', 'admin')) void users.list().then((l) => { this.owners = l.map((u) => u.userid); }, () => undefined);
  }

  protected fetchData(): Promise<Token[]> {
    return tokens.list(this.owner);
  }

  private pickOwner(ev: Event): void {
    this.owner = (ev.target as HTMLSelectElement).value;
    this.data = undefined;
    void this.load();
  }

  protected columns(): Column<Token>[] {
    return [
      { label: 'Token', cell: (t) => t.tokenid, class: 'mono' },
      { label: 'Enabled', cell: (t) => (enabled(t) ? 'yes' : html`<span class="badge warn">disabled</span>`) },
      { label: 'Role', cell: (t) => t.role ?? '' },
      { label: 'Expires', cell: (t) => (t.expire ? dateTime(t.expire) : 'never') },
      { label: 'Last used', cell: (t) => (t['last-used'] ? age(t['last-used']) : 'never') },
      { label: 'Comment', cell: (t) => t.comment ?? '' },
    ];
  }

  protected override headActions() {
    return html`<button class="primary" @click=${this.openCreate}>Create token</button>`;
  }

  protected override renderIntro() {
    if (this.owners.length < 2) return nothing;
    return html`<div class="owner"><label for="owner">Tokens of</label>
      <select id="owner" @change=${this.pickOwner}>${this.owners.map((u) => html`<option ?selected=${u === this.owner}>${u}</option>`)}</select></div>`;
  }

  protected override hasRowActions(): boolean {
    return true;
  }

  protected override rowActions(t: Token) {
    return html`<button aria-label="Edit ${t.tokenid}" @click=${() => void this.openEdit(t)}>Edit</button>
      <button class="danger" aria-label="Remove ${t.tokenid}" @click=${() => void this.removeToken(t)}>Remove</button>`;
  }

  private async openCreate(): Promise<void> {
    this.created = undefined;
    await this.openDialog('create');
  }

  private async openEdit(t: Token): Promise<void> {
    this.target = t;
    await this.openDialog('edit');
  }

  private async onCreate(ev: SubmitEvent): Promise<void> {
    const form = ev.target as HTMLFormElement;
    const f = formValues(form);
    const name = validate(tokenName, f.name ?? '');
    if (!name.ok) {
      this.errors = { name: name.errors._ ?? 'invalid name' };
      return;
    }
    const body = { comment: f.comment, expire: expiryOf(f.expire) || undefined, role: f.role, privsep: (form.elements.namedItem('privsep') as HTMLInputElement).checked };
    // The dialog stays open to show the secret: no submit() (which closes it).
    this.busy = true;
    try {
      this.created = await tokens.create(this.owner, name.value, body);
      await this.load();
    } catch (err) {
      this.errors = { ...apiFieldErrors(err), _: errorText(err) };
    } finally {
      this.busy = false;
    }
  }

  /** Sends only what changed; an emptied comment or role is deleted. */
  private onEdit(ev: SubmitEvent): Promise<void> {
    const t = this.target!;
    const form = ev.target as HTMLFormElement;
    const f = formValues(form);
    const body: Record<string, unknown> = { digest: t.digest };
    const cleared: string[] = [];
    if ((f.comment ?? '') !== (t.comment ?? '')) {
      if (f.comment === undefined) cleared.push('comment');
      else body.comment = f.comment;
    }
    if ((f.role ?? '') !== (t.role ?? '')) {
      if (f.role === undefined) cleared.push('role');
      else body.role = f.role;
    }
    if (cleared.length) body.delete = cleared;
    if ((f.expire ?? '') !== dateInputValue(t.expire)) body.expire = expiryOf(f.expire);
    const enable = (form.elements.namedItem('enable') as HTMLInputElement).checked;
    if (enable !== enabled(t)) body.enable = enable;
    return this.submit(async () => {
      await tokens.update(this.owner, nameOf(t), body);
      return `Token ${t.tokenid} saved`;
    });
  }

  private async copy(): Promise<void> {
    if (!this.created) return;
    await navigator.clipboard.writeText(`${this.created.tokenid}:${this.created.value}`);
    notify('ok', 'Token copied');
  }

  private removeToken(t: Token): Promise<void> {
    return this.confirmed({
      heading: `Remove ${t.tokenid}?`,
      message: 'Scripts using this token stop working at once. This cannot be undone.',
      action: 'Remove',
      danger: true,
    }, async () => {
      await tokens.remove(this.owner, nameOf(t));
      return `Token ${t.tokenid} removed`;
    });
  }

  protected override renderDialog() {
    if (this.dialog === 'create' && this.created) {
      return html`<st-dialog heading="Token created" @close=${() => { this.dialog = undefined; this.created = undefined; }}>
        <p>Copy the secret now. <strong>It is shown only once</strong> and cannot be read again.</p>
        <p>Use it as <code>Authorization: StewardAPIToken=${this.created.tokenid}:…</code></p>
        <div class="secret" aria-label="Token secret">${this.created.tokenid}:${this.created.value}</div>
        <button slot="actions" @click=${this.copy}>Copy</button>
        <button slot="actions" class="primary" @click=${() => this.closeDialog()}>Done</button>
      </st-dialog>`;
    }
    if (this.dialog === 'create') {
      return this.renderFormDialog({ heading: 'Create API token', submit: 'Create', onSubmit: (ev) => this.onCreate(ev), body: html`
        <label for="name">Name</label><input id="name" name="name" required maxlength="32" autocapitalize="off" placeholder="backup-script">${fieldError(this.errors, 'name', 'tokenid')}
        <label for="role">Ceiling role</label><select id="role" name="role">${roleOptions()}</select>
        <label><input type="checkbox" name="privsep" checked> Privilege separation (the token's rights are limited to its own grants)</label>
        <label for="expire">Expires</label><input id="expire" name="expire" type="date">${fieldError(this.errors, 'expire')}
        <label for="comment">Comment</label><input id="comment" name="comment" maxlength="4096">` });
    }
    const t = this.target;
    if (this.dialog === 'edit' && t) {
      return this.renderFormDialog({ heading: `Edit ${t.tokenid}`, submit: 'Save', onSubmit: (ev) => this.onEdit(ev), body: html`
        <label for="role">Ceiling role</label><select id="role" name="role">${roleOptions(t.role)}</select>
        <label for="expire">Expires (empty: never)</label><input id="expire" name="expire" type="date" .value=${dateInputValue(t.expire)}>${fieldError(this.errors, 'expire')}
        <label for="comment">Comment</label><input id="comment" name="comment" maxlength="4096" .value=${t.comment ?? ''}>${fieldError(this.errors, 'comment')}
        <label><input type="checkbox" name="enable" ?checked=${enabled(t)}> Enabled (the token is accepted)</label>` });
    }
    return nothing;
  }
}
customElements.define('st-view-tokens', StViewTokens);
