// Remotes: the configured PVE clusters and PBS hosts, with the add-remote wizard and removal
// (typing the remote's id).
import { html, nothing } from 'lit';
import type { Remote } from '../../../../shared/remotes.ts';
import { api, path } from '../../api/client.ts';
import { session } from '../../api/session.ts';
import { StAdminList } from './st-admin-list.ts';
import type { Column } from './st-admin-list.ts';
import './st-add-remote.ts';

export class StViewRemotes extends StAdminList<Remote> {
  protected readonly pageTitle = 'Remotes';

  protected fetchData(): Promise<Remote[]> {
    return api.get<Remote[]>('/remotes');
  }

  private get admin(): boolean {
    return session.can('/remotes', 'admin');
  }

  protected override emptyText(): string {
    return this.admin ? 'No remotes yet. Add a Proxmox VE cluster or Backup Server with Add remote; you need its address and an API token.' : 'No remotes yet.';
  }

  protected columns(): Column<Remote>[] {
    return [
      { label: 'Id', cell: (r) => html`<a href="/resources?search=${encodeURIComponent(`remote:${r.id}`)}">${r.id}</a>` },
      { label: 'Type', cell: (r) => r.type.toUpperCase() },
      { label: 'Endpoints', cell: (r) => r.endpoints.map((e) => `${e.host}:${e.port}`).join(', '), class: 'mono' },
      { label: 'Credentials', cell: (r) => r.credentials.map((c) => `${c.name} (${c.tokenid ?? c.username})`).join(', ') },
      { label: 'Enabled', cell: (r) => (r.enabled ? 'yes' : html`<span class="badge warn">disabled</span>`) },
      { label: 'Comment', cell: (r) => r.comment ?? '' },
    ];
  }

  protected override headActions() {
    return this.admin ? html`<button class="primary" @click=${() => void this.openDialog('add')}>Add remote</button>` : nothing;
  }

  protected override hasRowActions(): boolean {
    return this.admin;
  }

  protected override rowActions(r: Remote) {
    return html`<button class="danger" aria-label="Remove ${r.id}" @click=${() => void this.removeRemote(r)}>Remove</button>`;
  }

  private removeRemote(r: Remote): Promise<void> {
    return this.confirmed({
      heading: `Remove ${r.id}?`,
      message: 'Steward forgets this remote, its credentials and cached data. The remote itself is not changed.',
      action: 'Remove',
      danger: true,
      typeToConfirm: r.id,
    }, async () => {
      await api.delete(path`/remotes/${r.id}`, { digest: r.digest });
      return `Remote ${r.id} removed`;
    });
  }

  protected override renderDialog() {
    if (this.dialog !== 'add') return nothing;
    return html`<st-dialog heading="Add remote" @close=${() => { this.dialog = undefined; void this.load(); }}>
      <st-add-remote @remote-added=${() => void this.load()}></st-add-remote></st-dialog>`;
  }
}
customElements.define('st-view-remotes', StViewRemotes);
