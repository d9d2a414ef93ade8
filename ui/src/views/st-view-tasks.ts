// Tasks across remotes and this host's own (for those allowed to see them), newest first,
// filtered by remote and state; a click shows the live log.
import { LitElement, css, html } from 'lit';
import '../components/st-task-table.ts';
import type { StTaskTable, TaskFilter } from '../components/st-task-table.ts';
import { baseStyles } from '../lib/styles.ts';

export class StViewTasks extends LitElement {
  static override styles = [baseStyles, css`
    :host { display: block; }
    .filters { margin-bottom: 0.75rem; }
    .filters select, .filters input { width: auto; }
  `];

  static override properties = { filter: { state: true }, total: { state: true } };
  declare filter: TaskFilter;
  declare total: number;

  constructor() {
    super();
    this.filter = {};
    this.total = 0;
  }

  private narrow(change: TaskFilter): void {
    this.filter = Object.fromEntries(Object.entries({ ...this.filter, ...change }).filter(([, v]) => v)) as TaskFilter;
  }

  override render() {
    return html`
      <h1>Tasks</h1>
      <div class="row filters">
        <label class="visually-hidden" for="status">State</label>
        <select id="status" @change=${(e: Event) => this.narrow({ status: (e.target as HTMLSelectElement).value as TaskFilter['status'] })}>
          <option value="">All states</option><option value="running">Running</option><option value="ok">OK</option><option value="error">Failed</option>
        </select>
        <label class="visually-hidden" for="remote">Remote</label>
        <input id="remote" placeholder="Remote id" maxlength="64" @change=${(e: Event) => this.narrow({ remote: (e.target as HTMLInputElement).value.trim() })}>
        <button @click=${() => void this.renderRoot.querySelector<StTaskTable>('st-task-table')?.load()}>Refresh</button>
        <span class="muted" role="status">${this.total.toLocaleString()} tasks</span>
      </div>
      <div class="card"><st-task-table include-host .filter=${this.filter} @loaded=${(e: CustomEvent<{ total: number }>) => { this.total = e.detail.total; }}></st-task-table></div>`;
  }
}
customElements.define('st-view-tasks', StViewTasks);
