// Permissions: who holds which role (Audit, Manage, Admin) on which path; grants propagate
// down the path. Add and remove grants.
import { html, nothing } from 'lit';
import { api } from '../../api/client.ts';
import { session } from '../../api/session.ts';
import { StAdminList } from './st-admin-list.ts';
import type { Column } from './st-admin-list.ts';
import { formValues } from './forms.ts';

interface AclEntry { path: string; ugid: string; type?: 'user' | 'group' | 'token' | string; roleid: string; propagate?: boolean | number }

const ROLES = ['Audit', 'Manage', 'Admin', 'NoAccess'] as const;
const subject = (kind: string | undefined, id: string) => (kind === 'group' ? { group: id } : { 'auth-id': id });

export class StViewAcl extends StAdminList<AclEntry> {
  protected readonly pageTitle = 'Permissions';

  protected fetchData(): Promise<AclEntry[]> {
    return api.get<AclEntry[]>('/access/acl');
  }

  private get admin(): boolean {
    return session.can('/access', 'admin');
  }

  protected columns(): Column<AclEntry>[] {
    return [
      { label: 'Path', cell: (e) => e.path, class: 'mono' },
      { label: 'User / token / group', cell: (e) => `${e.ugid}${e.type === 'group' ? ' (group)' : e.type === 'token' ? ' (token)' : ''}` },
      { label: 'Role', cell: (e) => e.roleid },
    ];
  }

  protected override headActions() {
    return this.admin ? html`<button class="primary" @click=${() => void this.openDialog('grant')}>Grant role</button>` : nothing;
  }

  protected override renderIntro() {
    return html`<p class="muted">Audit: read only. Manage: also start, stop, shut down, reboot and migrate. Admin: everything. NoAccess: takes away what a grant higher up gives. A role on a path covers everything below it.</p>`;
  }

  protected override hasRowActions(): boolean {
    return this.admin;
  }

  protected override rowActions(e: AclEntry) {
    return html`<button class="danger" aria-label="Remove ${e.roleid} of ${e.ugid} on ${e.path}" @click=${() => void this.revoke(e)}>Remove</button>`;
  }

  private onGrant(ev: SubmitEvent): Promise<void> {
    const f = formValues(ev.target as HTMLFormElement);
    return this.submit(async () => {
      if (!f.path?.startsWith('/') || !f.who) {
        this.errors = { _: 'A path starting with / and a user, token or group are needed.' };
        return undefined;
      }
      await api.put('/access/acl', { path: f.path, role: f.role, ...subject(f.kind, f.who), propagate: true });
      return `${f.role} granted on ${f.path}`;
    });
  }

  private revoke(e: AclEntry): Promise<void> {
    return this.confirmed({
      heading: 'Remove this grant?',
      message: html`<strong>${e.ugid}</strong> loses the role ${e.roleid} on <code>${e.path}</code> (and below it).`,
      action: 'Remove',
      danger: true,
    }, async () => {
      await api.put('/access/acl', { path: e.path, role: e.roleid, ...subject(e.type, e.ugid), delete: true });
      return 'Grant removed';
    });
  }

  protected override renderDialog() {
    if (this.dialog !== 'grant') return nothing;
    return this.renderFormDialog({ heading: 'Grant a role', submit: 'Grant', onSubmit: (ev) => this.onGrant(ev), body: html`
      <label for="path">Path</label><input id="path" name="path" required maxlength="256" value="/" placeholder="/remotes/pve1">
      <label for="kind">Grant to</label><select id="kind" name="kind"><option value="user">User or API token</option><option value="group">User group</option></select>
      <label for="who">Id</label><input id="who" name="who" required maxlength="128" placeholder="alice@steward or alice@steward!script">
      <label for="role">Role</label><select id="role" name="role">${ROLES.map((r) => html`<option>${r}</option>`)}</select>` });
  }
}
customElements.define('st-view-acl', StViewAcl);
