// Saved views: a named filter (search expression, included/excluded remotes) that roles can
// be granted on, so a customer sees just their part. Open one as a filtered resources table.
import { html } from 'lit';
import { ViewCreateSchema } from '../../../../shared/views.ts';
import type { View } from '../../../../shared/views.ts';
import { api, path } from '../../api/client.ts';
import { session } from '../../api/session.ts';
import { StAdminList, mono } from './st-admin-list.ts';
import type { ListSpec } from './st-admin-list.ts';
import { fieldError, validate } from './forms.ts';

const list = (s: string | undefined) => (s ? s.split(/[\s,]+/).filter(Boolean) : undefined);

export class StViewViews extends StAdminList<View> {
  protected readonly spec: ListSpec<View> = {
    title: 'Views',
    adminPath: '/views',
    idOf: (v) => v.id,
    empty: 'No views yet.',
    columns: {
      Id: (v) => html`<a href="/resources?search=${encodeURIComponent(`view:${v.id}`)}">${v.id}</a>`,
      Search: (v) => mono(v.search),
      Remotes: (v) => `${v['include-remotes'].length ? `only ${v['include-remotes'].join(', ')}` : 'all'}${v['exclude-remotes'].length ? `, not ${v['exclude-remotes'].join(', ')}` : ''}`,
      Comment: (v) => v.comment ?? '',
    },
    // A role on one view lets its holder delete that view.
    mayChange: (v) => session.can(`/views/${v.id}`, 'admin'),
    create: {
      button: 'Create view',
      submit: 'Create',
      body: () => html`
        <label for="id">Id</label><input id="id" name="id" required maxlength="64" autocapitalize="off">${fieldError(this.errors, 'id')}
        <label for="search">Search</label><input id="search" name="search" maxlength="1024" class="mono" placeholder="tag:customer-a type:qemu">${fieldError(this.errors, 'search')}
        <label for="include">Only these remotes (comma-separated, empty: all)</label><input id="include" name="include-remotes" maxlength="4096">${fieldError(this.errors, 'include-remotes')}
        <label for="exclude">Not these remotes</label><input id="exclude" name="exclude-remotes" maxlength="4096">${fieldError(this.errors, 'exclude-remotes')}
        <label for="comment">Comment</label><input id="comment" name="comment" maxlength="4096">`,
      save: async (f) => {
        const v = validate(ViewCreateSchema, { id: f.id, search: f.search ?? '', 'include-remotes': list(f['include-remotes']), 'exclude-remotes': list(f['exclude-remotes']), comment: f.comment });
        if (!v.ok) {
          this.errors = v.errors;
          return undefined;
        }
        await api.post('/views', v.value);
        return `View ${v.value.id} created`;
      },
    },
    remove: (v) => ({
      action: 'Delete',
      message: html`Roles granted on <code>/views/${v.id}</code> stop working.`,
      run: () => api.delete(path`/views/${v.id}`, { digest: v.digest }),
    }),
  };

  protected fetchData(): Promise<View[]> {
    return api.get<View[]>('/views');
  }
}
customElements.define('st-view-views', StViewViews);
