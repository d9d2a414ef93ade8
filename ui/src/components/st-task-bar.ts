// The task bar in the top bar: how many tasks run now, and a list of recent ones (the
// remotes' task lists, this host's own tasks for those allowed to see them, plus what this
// tab started); a click opens the live log.
import { LitElement, css, html, nothing } from 'lit';
import { errorText } from '../api/client.ts';
import { session } from '../api/session.ts';
import { describeUpid, listedTaskFailed, recentTasks, splitUpid, taskStatus } from '../api/tasks.ts';
import type { TaskListEntry } from '../api/tasks.ts';
import { age } from '../lib/format.ts';
import { icons } from '../lib/icons.ts';
import { baseStyles } from '../lib/styles.ts';
import { PollTimer } from '../lib/poll-timer.ts';
import { onTrackedTask, trackedTasks } from '../lib/task-tracker.ts';
import './st-dialog.ts';
import type { StDialog } from './st-dialog.ts';
import './st-task-log.ts';

const POLL_MS = 10_000;

export class StTaskBar extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host { position: relative; display: inline-block; }
      .count { background: var(--st-accent); color: var(--st-accent-text); border-radius: 999px; padding: 0 0.45rem; font-size: 0.75rem; font-weight: 700; }
      .panel { position: absolute; right: 0; top: 2.6rem; width: min(26rem, 92vw); max-height: 60vh; overflow: auto; background: var(--st-surface); border: 1px solid var(--st-border); border-radius: var(--st-radius); box-shadow: var(--st-shadow); z-index: 30; padding: 0.3rem; }
      .panel button { width: 100%; justify-content: flex-start; border: none; text-align: left; gap: 0.5rem; }
      .what { flex: 1; overflow: hidden; text-overflow: ellipsis; }
      .empty { padding: 0.8rem; }
    `,
  ];

  static override properties = {
    tasks: { state: true },
    open: { state: true },
    selected: { state: true },
    error: { state: true },
  };

  declare tasks: TaskListEntry[];
  declare open: boolean;
  declare selected: TaskListEntry | undefined;
  declare error: string | undefined;
  private readonly timer = new PollTimer(this);
  private cleanup: (() => void) | undefined;

  constructor() {
    super();
    this.tasks = [];
    this.open = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.cleanup = onTrackedTask(() => void this.refresh());
    void this.refresh();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.cleanup?.();
  }

  private async refresh(): Promise<void> {
    this.timer.cancel();
    let list: TaskListEntry[] = [];
    try {
      // GET /system/tasks needs Admin on /system: only then are host tasks asked for.
      list = await recentTasks(50, session.can('/system', 'admin'));
      this.error = undefined;
    } catch (err) {
      this.error = errorText(err);
    }
    // Tasks started here and not yet in the remotes' lists: ask for their status directly.
    const known = new Set(list.map((t) => t.id));
    const mine = await Promise.all(
      trackedTasks().filter((t) => !known.has(t.upid)).map(async (t): Promise<TaskListEntry> => {
        const host = t.source === 'host';
        const base = { id: t.upid, remote: host ? '' : (splitUpid(t.upid)?.remote ?? ''), upid: splitUpid(t.upid)?.upid ?? t.upid, starttime: Math.floor(t.at / 1000), source: t.source };
        try {
          const s = await taskStatus(t.upid, t.source);
          return { ...base, ...(s.node ? { node: s.node } : {}), ...(s.type ? { type: s.type } : {}), status: s.status === 'running' ? 'running' : (s.exitstatus ?? 'OK') };
        } catch {
          return { ...base, status: 'running' };
        }
      }),
    );
    this.tasks = [...mine, ...list].sort((a, b) => (b.starttime ?? 0) - (a.starttime ?? 0)).slice(0, 50);
    this.timer.schedule(() => void this.refresh(), this.tasks.some((t) => t.status === 'running') ? 2000 : POLL_MS);
  }

  private async show(t: TaskListEntry): Promise<void> {
    this.selected = t;
    this.open = false;
    await this.updateComplete;
    this.renderRoot.querySelector<StDialog>('st-dialog')?.show();
  }

  override render() {
    const running = this.tasks.filter((t) => t.status === 'running').length;
    return html`
      <button class="icon" aria-label="Tasks: ${running} running" aria-expanded=${String(this.open)} @click=${() => { this.open = !this.open; }}>
        ${icons.tasks}${running ? html`<span class="count">${running}</span>` : nothing}</button>
      ${this.open
        ? html`<div class="panel" role="dialog" aria-label="Recent tasks">
            ${this.error ? html`<div class="error-box">${this.error}</div>` : nothing}
            ${this.tasks.length ? nothing : html`<div class="empty muted">No recent tasks.</div>`}
            ${this.tasks.map((t) => {
              const badge = t.status === 'running' ? html`<span class="badge warn">running</span>`
                : listedTaskFailed(t) ? html`<span class="badge error">failed</span>` : html`<span class="badge ok">OK</span>`;
              return html`<button @click=${() => void this.show(t)} title=${t.status}>${badge}
                <span class="what">${t.type ?? describeUpid(t.upid).type} ${t.object ?? ''} <span class="muted">${t.source === 'host' ? `this host ${t.node ?? ''}` : `${t.remote} ${t.node ?? ''}`}</span></span>
                <span class="muted">${age(t.starttime)}</span></button>`;
            })}
          </div>`
        : nothing}
      ${this.selected
        ? html`<st-dialog heading="Task" @close=${() => { this.selected = undefined; }}><st-task-log .upid=${this.selected.id} .source=${this.selected.source ?? 'remote'}></st-task-log></st-dialog>`
        : nothing}`;
  }
}
customElements.define('st-task-bar', StTaskBar);
