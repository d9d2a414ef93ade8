// Remotes: the configured PVE clusters and PBS hosts, with the add-remote wizard and removal.
import { LitElement, css, html, nothing } from 'lit';
import type { Remote } from '../../../../shared/remotes.ts';
import { api, errorText, path } from '../../api/client.ts';
import { session } from '../../api/session.ts';
import '../../components/st-dialog.ts';
import type { StDialog } from '../../components/st-dialog.ts';
import { notify, notifyError } from '../../lib/notify.ts';
import { baseStyles } from '../../lib/styles.ts';
import './st-add-remote.ts';

export class StViewRemotes extends LitElement {
  static override styles = [baseStyles, css`:host { display: block; } .head { margin-bottom: 1rem; } .head h1 { margin: 0; }`];

  static override properties = {
    remotes: { state: true },
    error: { state: true },
    adding: { state: true },
    removing: { state: true },
  };

  declare remotes: Remote[] | undefined;
  declare error: string | undefined;
  declare adding: boolean;
  declare removing: Remote | undefined;

  constructor() {
    super();
    this.adding = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.remotes = await api.get<Remote[]>('/remotes');
      this.error = undefined;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private async openWizard(): Promise<void> {
    this.adding = true;
    await this.updateComplete;
    this.renderRoot.querySelector<StDialog>('st-dialog#add')?.show();
  }

  private async askRemove(r: Remote): Promise<void> {
    this.removing = r;
    await this.updateComplete;
    this.renderRoot.querySelector<StDialog>('st-dialog#remove')?.show();
  }

  private async onRemove(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const r = this.removing;
    if (!r) return;
    if (String(new FormData(ev.target as HTMLFormElement).get('typed') ?? '').trim() !== r.id) return;
    this.renderRoot.querySelector<StDialog>('st-dialog#remove')?.close();
    try {
      await api.delete(path`/remotes/${r.id}`, { digest: r.digest });
      notify('ok', `Remote ${r.id} removed`);
    } catch (err) {
      notifyError(err, `Removing ${r.id} failed`);
    }
    await this.load();
  }

  override render() {
    const admin = session.can('/remotes', 'admin');
    return html`
      <div class="row head"><h1>Remotes</h1><span class="spacer"></span>
        ${admin ? html`<button class="primary" @click=${this.openWizard}>Add remote</button>` : nothing}</div>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      ${!this.remotes ? html`<p class="muted">Loading…</p>` : this.remotes.length === 0
        ? html`<div class="card"><p>No remotes yet.</p>${admin ? html`<p>Add a Proxmox VE cluster or Backup Server with <strong>Add remote</strong>; you need its address and an API token.</p>` : nothing}</div>`
        : html`<div class="card table-wrap"><table class="data" aria-label="Remotes">
            <thead><tr><th>Id</th><th>Type</th><th>Endpoints</th><th>Credentials</th><th>Enabled</th><th>Comment</th>${admin ? html`<th></th>` : nothing}</tr></thead>
            <tbody>${this.remotes.map((r) => html`<tr>
              <td><a href="/resources?search=${encodeURIComponent(`remote:${r.id}`)}">${r.id}</a></td>
              <td>${r.type.toUpperCase()}</td>
              <td class="mono">${r.endpoints.map((e) => `${e.host}:${e.port}`).join(', ')}</td>
              <td>${r.credentials.map((c) => `${c.name} (${c.tokenid ?? c.username})`).join(', ')}</td>
              <td>${r.enabled ? 'yes' : html`<span class="badge warn">disabled</span>`}</td>
              <td>${r.comment ?? ''}</td>
              ${admin ? html`<td><button class="danger" @click=${() => void this.askRemove(r)}>Remove</button></td>` : nothing}
            </tr>`)}</tbody></table></div>`}
      ${this.adding
        ? html`<st-dialog id="add" heading="Add remote" @close=${() => { this.adding = false; void this.load(); }}>
            <st-add-remote @remote-added=${() => void this.load()}></st-add-remote></st-dialog>`
        : nothing}
      ${this.removing
        ? html`<st-dialog id="remove" heading="Remove ${this.removing.id}?" @close=${() => { this.removing = undefined; }}>
            <form id="remove-form" @submit=${this.onRemove}>
              <p>Steward forgets this remote, its credentials and cached data. The remote itself is not changed.</p>
              <label for="typed">Type <strong>${this.removing.id}</strong> to confirm</label>
              <input id="typed" name="typed" autocomplete="off" required>
            </form>
            <button slot="actions" type="submit" form="remove-form" class="danger">Remove</button>
          </st-dialog>`
        : nothing}`;
  }
}
customElements.define('st-view-remotes', StViewRemotes);
