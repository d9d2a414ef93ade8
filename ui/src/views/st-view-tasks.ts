// Tasks across remotes, newest first, filtered by remote and state; a click shows the live log.
import { LitElement, css, html, nothing } from 'lit';
import { api, errorText } from '../api/client.ts';
import { describeUpid, listedTaskFailed } from '../api/tasks.ts';
import type { TaskListEntry } from '../api/tasks.ts';
import '../components/st-dialog.ts';
import type { StDialog } from '../components/st-dialog.ts';
import '../components/st-task-log.ts';
import { dateTime, duration } from '../lib/format.ts';
import { baseStyles } from '../lib/styles.ts';

export class StViewTasks extends LitElement {
  static override styles = [baseStyles, css`
    :host { display: block; }
    .filters { margin-bottom: 0.75rem; }
    .filters select, .filters input { width: auto; }
    td button { min-height: 0; padding: 0.1rem 0.5rem; }
  `];

  static override properties = {
    tasks: { state: true }, total: { state: true }, error: { state: true }, status: { state: true }, remote: { state: true }, selected: { state: true },
  };
  declare tasks: TaskListEntry[];
  declare total: number;
  declare error: string | undefined;
  declare status: '' | 'running' | 'ok' | 'error';
  declare remote: string;
  declare selected: string | undefined;

  constructor() {
    super();
    this.tasks = [];
    this.total = 0;
    this.status = '';
    this.remote = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const r = await api.get<{ total: number; tasks: TaskListEntry[] }>('/remotes/tasks', { status: this.status || undefined, remote: this.remote || undefined, limit: 200 });
      this.tasks = r.tasks;
      this.total = r.total;
      this.error = undefined;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private async show(id: string): Promise<void> {
    this.selected = id;
    await this.updateComplete;
    this.renderRoot.querySelector<StDialog>('st-dialog')?.show();
  }

  override render() {
    return html`
      <h1>Tasks</h1>
      <div class="row filters">
        <label class="visually-hidden" for="status">State</label>
        <select id="status" @change=${(e: Event) => { this.status = (e.target as HTMLSelectElement).value as typeof this.status; void this.load(); }}>
          <option value="">All states</option><option value="running">Running</option><option value="ok">OK</option><option value="error">Failed</option>
        </select>
        <label class="visually-hidden" for="remote">Remote</label>
        <input id="remote" placeholder="Remote id" maxlength="64" @change=${(e: Event) => { this.remote = (e.target as HTMLInputElement).value.trim(); void this.load(); }}>
        <button @click=${this.load}>Refresh</button>
        <span class="muted" role="status">${this.total.toLocaleString()} tasks</span>
      </div>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      <div class="card table-wrap"><table class="data" aria-label="Tasks">
        <thead><tr><th>Started</th><th>Remote / node</th><th>Task</th><th>User</th><th>Duration</th><th>Status</th><th></th></tr></thead>
        <tbody>${this.tasks.map((t) => html`<tr>
          <td>${dateTime(t.starttime)}</td><td>${t.remote} / ${t.node ?? ''}</td>
          <td>${t.type ?? describeUpid(t.upid).type} ${t.object ?? ''}</td><td>${t.user ?? ''}</td>
          <td>${t.endtime && t.starttime ? duration(t.endtime - t.starttime) : ''}</td>
          <td>${t.status === 'running' ? html`<span class="badge warn">running</span>` : listedTaskFailed(t) ? html`<span class="badge error" title=${t.status}>${t.status}</span>` : html`<span class="badge ok">${t.status}</span>`}</td>
          <td><button @click=${() => void this.show(t.id)}>Log</button></td>
        </tr>`)}</tbody></table></div>
      ${this.selected ? html`<st-dialog heading="Task log" @close=${() => { this.selected = undefined; }}><st-task-log .upid=${this.selected}></st-task-log></st-dialog>` : nothing}`;
  }
}
customElements.define('st-view-tasks', StViewTasks);
