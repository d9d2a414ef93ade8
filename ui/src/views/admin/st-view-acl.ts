// Permissions: who holds which role (Audit, Manage, Admin) on which path; grants propagate
// down the path. Add and remove grants.
import { html } from 'lit';
import { api } from '../../api/client.ts';
import { StAdminList, mono } from './st-admin-list.ts';
import type { ListSpec } from './st-admin-list.ts';

interface AclEntry { path: string; ugid: string; type?: 'user' | 'group' | 'token' | string; roleid: string; propagate?: boolean | number }

const ROLES = ['Audit', 'Manage', 'Admin', 'NoAccess'] as const;
const subject = (kind: string | undefined, id: string) => (kind === 'group' ? { group: id } : { 'auth-id': id });

export class StViewAcl extends StAdminList<AclEntry> {
  protected readonly spec: ListSpec<AclEntry> = {
    title: 'Permissions',
    adminPath: '/access',
    idOf: (e) => `${e.roleid} of ${e.ugid} on ${e.path}`,
    intro: html`<p class="muted">Audit: read only. Manage: also start, stop, shut down, reboot and migrate. Admin: everything. NoAccess: takes away what a grant higher up gives. A role on a path covers everything below it.</p>`,
    columns: {
      Path: (e) => mono(e.path),
      'User / token / group': (e) => `${e.ugid}${e.type === 'group' ? ' (group)' : e.type === 'token' ? ' (token)' : ''}`,
      Role: (e) => e.roleid,
    },
    create: {
      button: 'Grant role',
      heading: 'Grant a role',
      submit: 'Grant',
      body: () => html`
        <label for="path">Path</label><input id="path" name="path" required maxlength="256" value="/" placeholder="/remotes/pve1">
        <label for="kind">Grant to</label><select id="kind" name="kind"><option value="user">User or API token</option><option value="group">User group</option></select>
        <label for="who">Id</label><input id="who" name="who" required maxlength="128" placeholder="alice@steward or alice@steward!script">
        <label for="role">Role</label><select id="role" name="role">${ROLES.map((r) => html`<option>${r}</option>`)}</select>`,
      save: async (f) => {
        if (!f.path?.startsWith('/') || !f.who) {
          this.errors = { _: 'A path starting with / and a user, token or group are needed.' };
          return undefined;
        }
        await api.put('/access/acl', { path: f.path, role: f.role, ...subject(f.kind, f.who), propagate: true });
        return `${f.role} granted on ${f.path}`;
      },
    },
    remove: (e) => ({
      message: html`<strong>${e.ugid}</strong> loses the role ${e.roleid} on <code>${e.path}</code> (and below it).`,
      run: () => api.put('/access/acl', { path: e.path, role: e.roleid, ...subject(e.type, e.ugid), delete: true }),
    }),
  };

  protected fetchData(): Promise<AclEntry[]> {
    return api.get<AclEntry[]>('/access/acl');
  }
}
customElements.define('st-view-acl', StViewAcl);
