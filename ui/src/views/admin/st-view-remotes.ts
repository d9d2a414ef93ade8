// Remotes: the configured PVE clusters and PBS hosts, with the add-remote wizard and removal
// (typing the remote's id).
import { html, nothing } from 'lit';
import type { Remote } from '../../../../shared/remotes.ts';
import { api, path } from '../../api/client.ts';
import { session } from '../../api/session.ts';
import { StAdminList, mono } from './st-admin-list.ts';
import type { ListSpec } from './st-admin-list.ts';
import './st-add-remote.ts';

export class StViewRemotes extends StAdminList<Remote> {
  protected readonly spec: ListSpec<Remote> = {
    title: 'Remotes',
    adminPath: '/remotes',
    idOf: (r) => r.id,
    empty: session.can('/remotes', 'admin') ? 'No remotes yet. Add a Proxmox VE cluster or Backup Server with Add remote; you need its address and an API token.' : 'No remotes yet.',
    columns: {
      Id: (r) => html`<a href="/resources?search=${encodeURIComponent(`remote:${r.id}`)}">${r.id}</a>`,
      Type: (r) => r.type.toUpperCase(),
      Endpoints: (r) => mono(r.endpoints.map((e) => `${e.host}:${e.port}`).join(', ')),
      Credentials: (r) => r.credentials.map((c) => `${c.name} (${c.tokenid ?? c.username})`).join(', '),
      Enabled: (r) => (r.enabled ? 'yes' : html`<span class="badge warn">disabled</span>`),
      Comment: (r) => r.comment ?? '',
    },
    remove: (r) => ({
      message: 'Steward forgets this remote, its credentials and cached data. The remote itself is not changed.',
      typeId: true,
      run: () => api.delete(path`/remotes/${r.id}`, { digest: r.digest }),
    }),
  };

  protected fetchData(): Promise<Remote[]> {
    return api.get<Remote[]>('/remotes');
  }

  /** Adding is the wizard (st-add-remote), not a plain form. */
  protected override headActions() {
    return this.admin ? html`<button class="primary" @click=${() => this.openDialog('add')}>Add remote</button>` : nothing;
  }

  protected override renderDialog() {
    if (this.dialog !== 'add') return nothing;
    return html`<st-dialog open heading="Add remote" @close=${() => { this.dialog = undefined; void this.load(); }}>
      <st-add-remote @remote-added=${() => void this.load()}></st-add-remote></st-dialog>`;
  }
}
customElements.define('st-view-remotes', StViewRemotes);
