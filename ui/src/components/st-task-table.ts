// A table of tasks across remotes (GET /remotes/tasks), newest first, optionally narrowed to
// one remote, node or object (a guest's vmid): the Tasks page and the detail pages share it.
// A click shows the live log in a dialog. While a listed task runs, the table reloads itself.
import { LitElement, css, html, nothing } from 'lit';
import { api, errorText } from '../api/client.ts';
import { describeUpid, listedTaskFailed } from '../api/tasks.ts';
import type { TaskListEntry } from '../api/tasks.ts';
import { dateTime, duration } from '../lib/format.ts';
import { baseStyles } from '../lib/styles.ts';
import './st-dialog.ts';
import type { StDialog } from './st-dialog.ts';
import './st-task-log.ts';

/** How often a table with running tasks reloads (the remotes' task tracker polls about as often). */
const RUNNING_RELOAD_MS = 3000;

export interface TaskFilter {
  remote?: string;
  node?: string;
  object?: string;
  status?: 'running' | 'ok' | 'error';
}

export class StTaskTable extends LitElement {
  static override styles = [baseStyles, css`
    :host { display: block; }
    td button { min-height: 0; padding: 0.1rem 0.5rem; }
  `];

  static override properties = {
    filter: { attribute: false }, limit: { type: Number }, label: {},
    tasks: { state: true }, total: { state: true }, error: { state: true }, selected: { state: true },
  };
  declare filter: TaskFilter;
  declare limit: number;
  /** The table's accessible name. */
  declare label: string;
  declare tasks: TaskListEntry[];
  declare total: number;
  declare error: string | undefined;
  declare selected: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.filter = {};
    this.limit = 200;
    this.label = 'Tasks';
    this.tasks = [];
    this.total = 0;
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('filter') || changed.has('limit')) void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
  }

  async load(): Promise<void> {
    clearTimeout(this.timer);
    try {
      const r = await api.get<{ total: number; tasks: TaskListEntry[] }>('/remotes/tasks', { ...this.filter, limit: this.limit });
      this.tasks = r.tasks;
      this.total = r.total;
      this.error = undefined;
    } catch (err) {
      this.error = errorText(err);
    }
    this.dispatchEvent(new CustomEvent('loaded', { detail: { total: this.total } }));
    if (this.isConnected && this.tasks.some((t) => t.status === 'running')) this.timer = setTimeout(() => void this.load(), RUNNING_RELOAD_MS);
  }

  private async show(id: string): Promise<void> {
    this.selected = id;
    await this.updateComplete;
    this.renderRoot.querySelector<StDialog>('st-dialog')?.show();
  }

  override render() {
    const one = (k: keyof TaskFilter) => this.filter[k] !== undefined;
    return html`
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      ${!this.error && this.tasks.length === 0 ? html`<p class="muted">No tasks.</p>` : html`
      <div class="table-wrap"><table class="data" aria-label=${this.label}>
        <thead><tr><th>Started</th>${one('remote') && one('node') ? nothing : html`<th>Remote / node</th>`}<th>Task</th><th>User</th><th>Duration</th><th>Status</th><th></th></tr></thead>
        <tbody>${this.tasks.map((t) => html`<tr>
          <td>${dateTime(t.starttime)}</td>${one('remote') && one('node') ? nothing : html`<td>${t.remote} / ${t.node ?? ''}</td>`}
          <td>${t.type ?? describeUpid(t.upid).type} ${t.object ?? ''}</td><td>${t.user ?? ''}</td>
          <td>${t.endtime && t.starttime ? duration(t.endtime - t.starttime) : ''}</td>
          <td>${t.status === 'running' ? html`<span class="badge warn">running</span>` : listedTaskFailed(t) ? html`<span class="badge error" title=${t.status}>${t.status}</span>` : html`<span class="badge ok">${t.status}</span>`}</td>
          <td><button aria-label="Log of ${t.type ?? 'task'} ${t.object ?? ''} started ${dateTime(t.starttime)}" @click=${() => void this.show(t.id)}>Log</button></td>
        </tr>`)}</tbody></table></div>`}
      ${this.selected ? html`<st-dialog heading="Task log" @close=${() => { this.selected = undefined; }}><st-task-log .upid=${this.selected}></st-task-log></st-dialog>` : nothing}`;
  }
}
customElements.define('st-task-table', StTaskTable);
