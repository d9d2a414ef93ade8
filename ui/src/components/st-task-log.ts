// Follows one task live: its status and its log, fetched incrementally until it stops.
import { LitElement, css, html, nothing } from 'lit';
import { errorText } from '../api/client.ts';
import { describeUpid, taskFailed, taskLog, taskStatus } from '../api/tasks.ts';
import type { TaskSource, TaskStatus } from '../api/tasks.ts';
import { baseStyles } from '../lib/styles.ts';
import { PollTimer } from '../lib/poll-timer.ts';

const POLL_MS = 1000;

export class StTaskLog extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: block; }
      pre { background: var(--st-surface-2); border-radius: var(--st-radius); padding: 0.6rem; max-height: 22rem; min-height: 6rem; overflow: auto; font: 0.85rem/1.4 var(--st-mono); white-space: pre-wrap; margin: 0.5rem 0 0; }
    `,
  ];

  static override properties = {
    upid: {},
    source: {},
    status: { state: true },
    lines: { state: true },
    error: { state: true },
  };

  declare upid: string;
  /** 'host' for Steward's own tasks (/system/tasks), else a remote's. */
  declare source: TaskSource;
  declare status: TaskStatus | undefined;
  declare lines: string[];
  declare error: string | undefined;
  private readonly timer = new PollTimer(this);
  private nextLine = 0;
  private stopped = false;
  /** Bumped when the task changes, so answers about the previous one are dropped. */
  private generation = 0;

  constructor() {
    super();
    this.lines = [];
    this.source = 'remote';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopped = false;
    if (this.hasUpdated) void this.poll();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopped = true;
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('upid')) {
      // Another task (or the first): start over and follow this one.
      this.timer.cancel();
      this.lines = [];
      this.nextLine = 0;
      this.status = undefined;
      this.generation++;
      void this.poll();
    }
  }

  private async poll(): Promise<void> {
    if (!this.upid || this.stopped) return;
    const generation = this.generation;
    try {
      const [status, log] = await Promise.all([taskStatus(this.upid, this.source), taskLog(this.upid, this.nextLine, this.source)]);
      if (generation !== this.generation) return;
      if (log.length) {
        this.lines = [...this.lines, ...log.map((l) => l.t)];
        this.nextLine = Math.max(this.nextLine, ...log.map((l) => l.n + 1));
      }
      this.status = status;
      this.error = undefined;
      if (status.status === 'stopped') {
        // One last read: lines written just before the end.
        const rest = await taskLog(this.upid, this.nextLine, this.source);
        if (rest.length) this.lines = [...this.lines, ...rest.map((l) => l.t)];
        this.dispatchEvent(new CustomEvent('task-done', { detail: status, bubbles: true, composed: true }));
        return;
      }
    } catch (err) {
      this.error = errorText(err);
    }
    if (!this.stopped && generation === this.generation) this.timer.schedule(() => void this.poll(), POLL_MS);
  }

  override updated(): void {
    const pre = this.renderRoot.querySelector('pre');
    if (pre) pre.scrollTop = pre.scrollHeight;
  }

  override render() {
    const d = describeUpid(this.upid);
    const s = this.status;
    const badge = !s
      ? html`<span class="badge">starting</span>`
      : s.status === 'running'
        ? html`<span class="badge warn">running</span>`
        : taskFailed(s)
          ? html`<span class="badge error">failed</span>`
          : html`<span class="badge ok">OK</span>`;
    return html`
      <div class="row"><strong>${d.type ?? 'task'} ${d.id ?? ''}</strong> <span class="muted">on ${d.node ?? '?'}</span>
        <span class="spacer"></span><span role="status" aria-label="Task status">${badge}</span></div>
      ${s && taskFailed(s) ? html`<div class="error-box" role="alert">${s.exitstatus}</div>` : nothing}
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      <pre aria-label="Task log" tabindex="0">${this.lines.join('\n')}</pre>`;
  }
}
customElements.define('st-task-log', StTaskLog);
