// Groups of remotes: each entry names a remote and which of its credentials members act with,
// so one remote can carry a full-rights token for admins and a limited one for a customer.
import { html } from 'lit';
import { api, path } from '../../api/client.ts';
import { StAdminList } from './st-admin-list.ts';
import type { ListSpec } from './st-admin-list.ts';

interface Group { id: string; entries: { remote: string; credential?: string }[]; comment?: string; digest?: string }

/** "pve1:customer, pbs1" → entries. */
export function parseEntries(text: string): Group['entries'] {
  return text.split(/[\s,]+/).filter(Boolean).map((e) => {
    const [remote, credential] = e.split(':');
    return credential ? { remote: remote!, credential } : { remote: remote! };
  });
}

export class StViewGroups extends StAdminList<Group> {
  protected readonly spec: ListSpec<Group> = {
    title: 'Groups of remotes',
    tableLabel: 'Groups',
    adminPath: '/groups',
    idOf: (g) => g.id,
    columns: {
      Id: (g) => g.id,
      'Remotes (credential)': (g) => g.entries.map((e) => `${e.remote}${e.credential ? ` (${e.credential})` : ''}`).join(', '),
      Comment: (g) => g.comment ?? '',
    },
    create: {
      button: 'Create group',
      submit: 'Create',
      body: () => html`
        <label for="id">Id</label><input id="id" name="id" required maxlength="64">
        <label for="entries">Remotes, each optionally with the credential to use</label>
        <input id="entries" name="entries" maxlength="4096" placeholder="pve1:customer-a, pbs1">
        <label for="comment">Comment</label><input id="comment" name="comment" maxlength="4096">`,
      save: async (f) => {
        await api.post('/groups', { id: f.id, entries: parseEntries(f.entries ?? ''), comment: f.comment });
        return `Group ${f.id} created`;
      },
    },
    remove: (g) => ({
      message: html`Roles granted on <code>/groups/${g.id}</code> stop working.`,
      run: () => api.delete(path`/groups/${g.id}`, { digest: g.digest }),
    }),
  };

  protected fetchData(): Promise<Group[]> {
    return api.get<Group[]>('/groups');
  }
}
customElements.define('st-view-groups', StViewGroups);
