// Saved views: a named filter (search expression, included/excluded remotes) that roles can
// be granted on, so a customer sees just their part. Open one as a filtered resources table.
import { css, html, nothing } from 'lit';
import { ViewCreateSchema } from '../../../../shared/views.ts';
import type { View } from '../../../../shared/views.ts';
import { api, errorText, path } from '../../api/client.ts';
import { session } from '../../api/session.ts';
import '../../components/st-dialog.ts';
import { notify, notifyError } from '../../lib/notify.ts';
import { baseStyles } from '../../lib/styles.ts';
import { StAdminList } from './st-admin-list.ts';
import { apiFieldErrors, fieldError, formValues, validate } from './forms.ts';
import type { FieldErrors } from './forms.ts';

const list = (s: string | undefined) => (s ? s.split(/[\s,]+/).filter(Boolean) : undefined);

export class StViewViews extends StAdminList<View> {
  static override styles = [baseStyles, css`:host { display: block; } .head { margin-bottom: 1rem; } .head h1 { margin: 0; }`];

  static override properties = { errors: { state: true }, creating: { state: true }, busy: { state: true } };
  declare errors: FieldErrors;
  declare creating: boolean;
  declare busy: boolean;

  constructor() {
    super();
    this.errors = {};
    this.creating = false;
    this.busy = false;
  }

  protected fetchList(): Promise<View[]> {
    return api.get<View[]>('/views');
  }

  private async openCreate(): Promise<void> {
    this.creating = true;
    this.errors = {};
    await this.showDialog('st-dialog#create');
  }

  private async onCreate(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const f = formValues(ev.target as HTMLFormElement);
    const body = { id: f.id, search: f.search ?? '', 'include-remotes': list(f['include-remotes']), 'exclude-remotes': list(f['exclude-remotes']), comment: f.comment };
    const v = validate(ViewCreateSchema, body);
    if (!v.ok) {
      this.errors = v.errors;
      return;
    }
    this.busy = true;
    try {
      await api.post('/views', v.value);
      this.closeDialog('st-dialog#create');
      notify('ok', `View ${v.value.id} created`);
      await this.load();
    } catch (err) {
      this.errors = { ...apiFieldErrors(err), _: errorText(err) };
    } finally {
      this.busy = false;
    }
  }

  private async deleteView(v: View): Promise<void> {
    if (!confirm(`Delete view ${v.id}? Roles granted on /views/${v.id} stop working.`)) return;
    try {
      await api.delete(path`/views/${v.id}`, { digest: v.digest });
      notify('ok', `View ${v.id} deleted`);
    } catch (err) {
      notifyError(err, `Deleting ${v.id} failed`);
    }
    await this.load();
  }

  override render() {
    const admin = session.can('/views', 'admin');
    return html`
      <div class="row head"><h1>Views</h1><span class="spacer"></span>${admin ? html`<button class="primary" @click=${this.openCreate}>Create view</button>` : nothing}</div>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      ${!this.list ? html`<p class="muted">Loading…</p>` : html`<div class="card table-wrap"><table class="data" aria-label="Views">
        <thead><tr><th>Id</th><th>Search</th><th>Remotes</th><th>Comment</th><th></th></tr></thead>
        <tbody>${this.list.length ? nothing : html`<tr><td colspan="5" class="muted">No views yet.</td></tr>`}
        ${this.list.map((v) => html`<tr>
          <td><a href="/resources?search=${encodeURIComponent(`view:${v.id}`)}">${v.id}</a></td>
          <td class="mono">${v.search}</td>
          <td>${v['include-remotes'].length ? `only ${v['include-remotes'].join(', ')}` : 'all'}${v['exclude-remotes'].length ? `, not ${v['exclude-remotes'].join(', ')}` : ''}</td>
          <td>${v.comment ?? ''}</td>
          <td>${session.can(`/views/${v.id}`, 'admin') ? html`<button class="danger" @click=${() => void this.deleteView(v)}>Delete</button>` : nothing}</td>
        </tr>`)}</tbody></table></div>`}
      ${this.creating ? html`<st-dialog id="create" heading="Create view" @close=${() => { this.creating = false; }}>
        <form id="create-form" @submit=${this.onCreate} novalidate>
          ${this.errors._ ? html`<div class="error-box" role="alert">${this.errors._}</div>` : nothing}
          <label for="id">Id</label><input id="id" name="id" required maxlength="64" autocapitalize="off">${fieldError(this.errors, 'id')}
          <label for="search">Search</label><input id="search" name="search" maxlength="1024" class="mono" placeholder="tag:customer-a type:qemu">${fieldError(this.errors, 'search')}
          <label for="include">Only these remotes (comma-separated, empty: all)</label><input id="include" name="include-remotes" maxlength="4096">${fieldError(this.errors, 'include-remotes')}
          <label for="exclude">Not these remotes</label><input id="exclude" name="exclude-remotes" maxlength="4096">${fieldError(this.errors, 'exclude-remotes')}
          <label for="comment">Comment</label><input id="comment" name="comment" maxlength="4096">
        </form>
        <button slot="actions" type="submit" form="create-form" class="primary" ?disabled=${this.busy}>Create</button>
      </st-dialog>` : nothing}`;
  }
}
customElements.define('st-view-views', StViewViews);
