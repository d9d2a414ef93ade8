// Saved views: a named filter (search expression, included/excluded remotes) that roles can
// be granted on, so a customer sees just their part. Open one as a filtered resources table.
import { html, nothing } from 'lit';
import { ViewCreateSchema } from '../../../../shared/views.ts';
import type { View } from '../../../../shared/views.ts';
import { api, path } from '../../api/client.ts';
import { session } from '../../api/session.ts';
import { StAdminList } from './st-admin-list.ts';
import type { Column } from './st-admin-list.ts';
import { fieldError, formValues, validate } from './forms.ts';

const list = (s: string | undefined) => (s ? s.split(/[\s,]+/).filter(Boolean) : undefined);

export class StViewViews extends StAdminList<View> {
  protected readonly pageTitle = 'Views';

  protected override emptyText(): string {
    return 'No views yet.';
  }

  protected fetchData(): Promise<View[]> {
    return api.get<View[]>('/views');
  }

  protected columns(): Column<View>[] {
    return [
      { label: 'Id', cell: (v) => html`<a href="/resources?search=${encodeURIComponent(`view:${v.id}`)}">${v.id}</a>` },
      { label: 'Search', cell: (v) => v.search, class: 'mono' },
      { label: 'Remotes', cell: (v) => `${v['include-remotes'].length ? `only ${v['include-remotes'].join(', ')}` : 'all'}${v['exclude-remotes'].length ? `, not ${v['exclude-remotes'].join(', ')}` : ''}` },
      { label: 'Comment', cell: (v) => v.comment ?? '' },
    ];
  }

  protected override headActions() {
    return session.can('/views', 'admin') ? html`<button class="primary" @click=${() => void this.openDialog('create')}>Create view</button>` : nothing;
  }

  protected override hasRowActions(): boolean {
    return true;
  }

  protected override rowActions(v: View) {
    return session.can(`/views/${v.id}`, 'admin') ? html`<button class="danger" aria-label="Delete ${v.id}" @click=${() => void this.deleteView(v)}>Delete</button>` : nothing;
  }

  private onCreate(ev: SubmitEvent): Promise<void> {
    const f = formValues(ev.target as HTMLFormElement);
    return this.submit(async () => {
      const body = { id: f.id, search: f.search ?? '', 'include-remotes': list(f['include-remotes']), 'exclude-remotes': list(f['exclude-remotes']), comment: f.comment };
      const v = validate(ViewCreateSchema, body);
      if (!v.ok) {
        this.errors = v.errors;
        return undefined;
      }
      await api.post('/views', v.value);
      return `View ${v.value.id} created`;
    });
  }

  private deleteView(v: View): Promise<void> {
    return this.confirmed({
      heading: `Delete view ${v.id}?`,
      message: html`Roles granted on <code>/views/${v.id}</code> stop working.`,
      action: 'Delete',
      danger: true,
    }, async () => {
      await api.delete(path`/views/${v.id}`, { digest: v.digest });
      return `View ${v.id} deleted`;
    });
  }

  protected override renderDialog() {
    if (this.dialog !== 'create') return nothing;
    return this.renderFormDialog({ heading: 'Create view', submit: 'Create', onSubmit: (ev) => this.onCreate(ev), body: html`
      <label for="id">Id</label><input id="id" name="id" required maxlength="64" autocapitalize="off">${fieldError(this.errors, 'id')}
      <label for="search">Search</label><input id="search" name="search" maxlength="1024" class="mono" placeholder="tag:customer-a type:qemu">${fieldError(this.errors, 'search')}
      <label for="include">Only these remotes (comma-separated, empty: all)</label><input id="include" name="include-remotes" maxlength="4096">${fieldError(this.errors, 'include-remotes')}
      <label for="exclude">Not these remotes</label><input id="exclude" name="exclude-remotes" maxlength="4096">${fieldError(this.errors, 'exclude-remotes')}
      <label for="comment">Comment</label><input id="comment" name="comment" maxlength="4096">` });
  }
}
customElements.define('st-view-views', StViewViews);
