// Permissions: who holds which role (Audit, Manage, Admin) on which path; grants propagate
// down the path. Add and remove grants.
import { css, html, nothing } from 'lit';
import { api, errorText } from '../../api/client.ts';
import { session } from '../../api/session.ts';
import '../../components/st-dialog.ts';
import { notify, notifyError } from '../../lib/notify.ts';
import { baseStyles } from '../../lib/styles.ts';
import { StAdminList } from './st-admin-list.ts';
import { formValues } from './forms.ts';

interface AclEntry { path: string; ugid: string; type?: 'user' | 'group' | 'token' | string; roleid: string; propagate?: boolean | number }

const ROLES = ['Audit', 'Manage', 'Admin', 'NoAccess'] as const;

export class StViewAcl extends StAdminList<AclEntry> {
  static override styles = [baseStyles, css`:host { display: block; } .head { margin-bottom: 1rem; } .head h1 { margin: 0; }`];
  static override properties = { adding: { state: true }, formError: { state: true } };
  declare adding: boolean;
  declare formError: string | undefined;

  constructor() {
    super();
    this.adding = false;
  }

  protected fetchList(): Promise<AclEntry[]> {
    return api.get<AclEntry[]>('/access/acl');
  }

  private async openAdd(): Promise<void> {
    this.adding = true;
    this.formError = undefined;
    await this.showDialog();
  }

  private async onAdd(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const f = formValues(ev.target as HTMLFormElement);
    if (!f.path?.startsWith('/') || !f.who) {
      this.formError = 'A path starting with / and a user, token or group are needed.';
      return;
    }
    const who = f.kind === 'group' ? { group: f.who } : { 'auth-id': f.who };
    try {
      await api.put('/access/acl', { path: f.path, role: f.role, ...who, propagate: true });
      this.closeDialog();
      notify('ok', `${f.role} granted on ${f.path}`);
      await this.load();
    } catch (err) {
      this.formError = errorText(err);
    }
  }

  private async revoke(e: AclEntry): Promise<void> {
    if (!confirm(`Remove ${e.roleid} of ${e.ugid} on ${e.path}?`)) return;
    const who = e.type === 'group' ? { group: e.ugid } : { 'auth-id': e.ugid };
    try {
      await api.put('/access/acl', { path: e.path, role: e.roleid, ...who, delete: true });
      notify('ok', 'Grant removed');
    } catch (err) {
      notifyError(err);
    }
    await this.load();
  }

  override render() {
    const admin = session.can('/access', 'admin');
    return html`
      <div class="row head"><h1>Permissions</h1><span class="spacer"></span>${admin ? html`<button class="primary" @click=${this.openAdd}>Grant role</button>` : nothing}</div>
      <p class="muted">Audit: read only. Manage: also start, stop, shut down, reboot and migrate. Admin: everything. NoAccess: takes away what a grant higher up gives. A role on a path covers everything below it.</p>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      <div class="card table-wrap"><table class="data" aria-label="Permissions">
        <thead><tr><th>Path</th><th>User / token / group</th><th>Role</th>${admin ? html`<th></th>` : nothing}</tr></thead>
        <tbody>${(this.list ?? []).map((e) => html`<tr><td class="mono">${e.path}</td><td>${e.ugid}${e.type === 'group' ? ' (group)' : e.type === 'token' ? ' (token)' : ''}</td><td>${e.roleid}</td>
          ${admin ? html`<td><button class="danger" @click=${() => void this.revoke(e)}>Remove</button></td>` : nothing}</tr>`)}</tbody>
      </table></div>
      ${this.adding ? html`<st-dialog heading="Grant a role" @close=${() => { this.adding = false; }}>
        <form id="acl-form" @submit=${this.onAdd} novalidate>
          ${this.formError ? html`<div class="error-box" role="alert">${this.formError}</div>` : nothing}
          <label for="path">Path</label><input id="path" name="path" required maxlength="256" value="/" placeholder="/remotes/pve1">
          <label for="kind">Grant to</label><select id="kind" name="kind"><option value="user">User or API token</option><option value="group">User group</option></select>
          <label for="who">Id</label><input id="who" name="who" required maxlength="128" placeholder="alice@steward or alice@steward!script">
          <label for="role">Role</label><select id="role" name="role">${ROLES.map((r) => html`<option>${r}</option>`)}</select>
        </form>
        <button slot="actions" type="submit" form="acl-form" class="primary">Grant</button>
      </st-dialog>` : nothing}`;
  }
}
customElements.define('st-view-acl', StViewAcl);
