// Groups of remotes: each entry names a remote and which of its credentials members act with,
// so one remote can carry a full-rights token for admins and a limited one for a customer.
import { html, nothing } from 'lit';
import { api, path } from '../../api/client.ts';
import { session } from '../../api/session.ts';
import { StAdminList } from './st-admin-list.ts';
import type { Column } from './st-admin-list.ts';
import { formValues } from './forms.ts';

interface Group { id: string; entries: { remote: string; credential?: string }[]; comment?: string; digest?: string }

/** "pve1:customer, pbs1" → entries. */
export function parseEntries(text: string): Group['entries'] {
  return text.split(/[\s,]+/).filter(Boolean).map((e) => {
    const [remote, credential] = e.split(':');
    return credential ? { remote: remote!, credential } : { remote: remote! };
  });
}

export class StViewGroups extends StAdminList<Group> {
  protected readonly pageTitle = 'Groups of remotes';
  protected override tableLabel = 'Groups';

  protected fetchData(): Promise<Group[]> {
    return api.get<Group[]>('/groups');
  }

  private get admin(): boolean {
    return session.can('/groups', 'admin');
  }

  protected columns(): Column<Group>[] {
    return [
      { label: 'Id', cell: (g) => g.id },
      { label: 'Remotes (credential)', cell: (g) => g.entries.map((e) => `${e.remote}${e.credential ? ` (${e.credential})` : ''}`).join(', ') },
      { label: 'Comment', cell: (g) => g.comment ?? '' },
    ];
  }

  protected override headActions() {
    return this.admin ? html`<button class="primary" @click=${() => void this.openDialog('create')}>Create group</button>` : nothing;
  }

  protected override hasRowActions(): boolean {
    return this.admin;
  }

  protected override rowActions(g: Group) {
    return html`<button class="danger" aria-label="Remove ${g.id}" @click=${() => void this.removeGroup(g)}>Remove</button>`;
  }

  private onCreate(ev: SubmitEvent): Promise<void> {
    const f = formValues(ev.target as HTMLFormElement);
    return this.submit(async () => {
      await api.post('/groups', { id: f.id, entries: parseEntries(f.entries ?? ''), comment: f.comment });
      return `Group ${f.id} created`;
    });
  }

  private removeGroup(g: Group): Promise<void> {
    return this.confirmed({
      heading: `Remove group ${g.id}?`,
      message: html`Roles granted on <code>/groups/${g.id}</code> stop working.`,
      action: 'Remove',
      danger: true,
    }, async () => {
      await api.delete(path`/groups/${g.id}`, { digest: g.digest });
      return `Group ${g.id} removed`;
    });
  }

  protected override renderDialog() {
    if (this.dialog !== 'create') return nothing;
    return this.renderFormDialog({ heading: 'Create group', submit: 'Create', onSubmit: (ev) => this.onCreate(ev), body: html`
      <label for="id">Id</label><input id="id" name="id" required maxlength="64">
      <label for="entries">Remotes, each optionally with the credential to use</label>
      <input id="entries" name="entries" maxlength="4096" placeholder="pve1:customer-a, pbs1">
      <label for="comment">Comment</label><input id="comment" name="comment" maxlength="4096">` });
  }
}
customElements.define('st-view-groups', StViewGroups);
