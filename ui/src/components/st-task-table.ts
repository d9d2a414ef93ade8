// A table of tasks across remotes (GET /remotes/tasks), newest first, optionally narrowed to
// one remote, node or object (a guest's vmid): the Tasks page and the detail pages share it.
// With `includeHost` (the Tasks page) this host's own tasks are listed too, for those allowed
// to see them. A click shows the live log in a dialog. While a listed task runs, the table
// reloads itself.
import { LitElement, css, html, nothing } from 'lit';
import { errorText } from '../api/client.ts';
import { session } from '../api/session.ts';
import { describeUpid, listTasks, listedTaskFailed, taskPlace } from '../api/tasks.ts';
import type { TaskFilter, TaskListEntry } from '../api/tasks.ts';
import { dateTime, duration } from '../lib/format.ts';
import { baseStyles } from '../lib/styles.ts';
import { PollTimer } from '../lib/poll-timer.ts';
import './st-dialog.ts';
import type { StDialog } from './st-dialog.ts';
import './st-task-log.ts';

/** How often a table with running tasks reloads (the remotes' task tracker polls about as often). */
const RUNNING_RELOAD_MS = 3000;

export type { TaskFilter };

export class StTaskTable extends LitElement {
  static override styles = [baseStyles, css`
    :host { display: block; }
    td button { min-height: 0; padding: 0.1rem 0.5rem; }
  `];

  static override properties = {
    filter: { attribute: false }, limit: { type: Number }, label: {}, includeHost: { type: Boolean, attribute: 'include-host' },
    tasks: { state: true }, total: { state: true }, error: { state: true }, selected: { state: true },
  };
  declare filter: TaskFilter;
  declare limit: number;
  /** The table's accessible name. */
  declare label: string;
  /** List this host's own tasks (GET /system/tasks) beside the remotes', when the session may read them. */
  declare includeHost: boolean;
  declare tasks: TaskListEntry[];
  declare total: number;
  declare error: string | undefined;
  declare selected: TaskListEntry | undefined;
  private readonly timer = new PollTimer(this);

  constructor() {
    super();
    this.filter = {};
    this.limit = 200;
    this.label = 'Tasks';
    this.includeHost = false;
    this.tasks = [];
    this.total = 0;
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('filter') || changed.has('limit') || changed.has('includeHost')) void this.load();
  }

  async load(): Promise<void> {
    this.timer.cancel();
    try {
      const r = await listTasks(this.filter, this.limit, this.includeHost && session.can('/system', 'admin'));
      this.tasks = r.tasks;
      this.total = r.total;
      this.error = undefined;
    } catch (err) {
      this.error = errorText(err);
    }
    this.dispatchEvent(new CustomEvent('loaded', { detail: { total: this.total } }));
    if (this.tasks.some((t) => t.status === 'running')) this.timer.schedule(() => void this.load(), RUNNING_RELOAD_MS);
  }

  private async show(t: TaskListEntry): Promise<void> {
    this.selected = t;
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
          <td>${dateTime(t.starttime)}</td>${one('remote') && one('node') ? nothing : html`<td>${taskPlace(t)}</td>`}
          <td>${t.type ?? describeUpid(t.upid).type} ${t.object ?? ''}</td><td>${t.user ?? ''}</td>
          <td>${t.endtime && t.starttime ? duration(t.endtime - t.starttime) : ''}</td>
          <td>${t.status === 'running' ? html`<span class="badge warn">running</span>` : listedTaskFailed(t) ? html`<span class="badge error" title=${t.status}>${t.status}</span>` : html`<span class="badge ok">${t.status}</span>`}</td>
          <td><button aria-label="Log of ${t.type ?? 'task'} ${t.object ?? ''} started ${dateTime(t.starttime)}" @click=${() => void this.show(t)}>Log</button></td>
        </tr>`)}</tbody></table></div>`}
      ${this.selected ? html`<st-dialog heading="Task log" @close=${() => { this.selected = undefined; }}><st-task-log .upid=${this.selected.id} .source=${this.selected.source ?? 'remote'}></st-task-log></st-dialog>` : nothing}`;
  }
}
customElements.define('st-task-table', StTaskTable);
