// Groups of remotes: each entry names a remote and which of its credentials members act with,
// so one remote can carry a full-rights token for admins and a limited one for a customer.
import { css, html, nothing } from 'lit';
import { api, errorText, path } from '../../api/client.ts';
import { session } from '../../api/session.ts';
import '../../components/st-dialog.ts';
import { notify, notifyError } from '../../lib/notify.ts';
import { baseStyles } from '../../lib/styles.ts';
import { StAdminList } from './st-admin-list.ts';
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
  static override styles = [baseStyles, css`:host { display: block; } .head { margin-bottom: 1rem; } .head h1 { margin: 0; }`];
  static override properties = { adding: { state: true }, formError: { state: true } };
  declare adding: boolean;
  declare formError: string | undefined;

  constructor() {
    super();
    this.adding = false;
  }

  protected fetchList(): Promise<Group[]> {
    return api.get<Group[]>('/groups');
  }

  private async openAdd(): Promise<void> {
    this.adding = true;
    this.formError = undefined;
    await this.showDialog();
  }

  private async onAdd(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const f = formValues(ev.target as HTMLFormElement);
    try {
      await api.post('/groups', { id: f.id, entries: parseEntries(f.entries ?? ''), comment: f.comment });
      this.closeDialog();
      notify('ok', `Group ${f.id} created`);
      await this.load();
    } catch (err) {
      this.formError = errorText(err);
    }
  }

  private async removeGroup(g: Group): Promise<void> {
    if (!confirm(`Remove group ${g.id}? Roles granted on /groups/${g.id} stop working.`)) return;
    try {
      await api.delete(path`/groups/${g.id}`, { digest: g.digest });
      notify('ok', `Group ${g.id} removed`);
    } catch (err) {
      notifyError(err);
    }
    await this.load();
  }

  override render() {
    const admin = session.can('/groups', 'admin');
    return html`
      <div class="row head"><h1>Groups of remotes</h1><span class="spacer"></span>${admin ? html`<button class="primary" @click=${this.openAdd}>Create group</button>` : nothing}</div>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      <div class="card table-wrap"><table class="data" aria-label="Groups">
        <thead><tr><th>Id</th><th>Remotes (credential)</th><th>Comment</th>${admin ? html`<th></th>` : nothing}</tr></thead>
        <tbody>${(this.list ?? []).map((g) => html`<tr><td>${g.id}</td>
          <td>${g.entries.map((e) => `${e.remote}${e.credential ? ` (${e.credential})` : ''}`).join(', ')}</td><td>${g.comment ?? ''}</td>
          ${admin ? html`<td><button class="danger" @click=${() => void this.removeGroup(g)}>Remove</button></td>` : nothing}</tr>`)}</tbody>
      </table></div>
      ${this.adding ? html`<st-dialog heading="Create group" @close=${() => { this.adding = false; }}>
        <form id="group-form" @submit=${this.onAdd} novalidate>
          ${this.formError ? html`<div class="error-box" role="alert">${this.formError}</div>` : nothing}
          <label for="id">Id</label><input id="id" name="id" required maxlength="64">
          <label for="entries">Remotes, each optionally with the credential to use</label>
          <input id="entries" name="entries" maxlength="4096" placeholder="pve1:customer-a, pbs1">
          <label for="comment">Comment</label><input id="comment" name="comment" maxlength="4096">
        </form>
        <button slot="actions" type="submit" form="group-form" class="primary">Create</button>
      </st-dialog>` : nothing}`;
  }
}
customElements.define('st-view-groups', StViewGroups);
