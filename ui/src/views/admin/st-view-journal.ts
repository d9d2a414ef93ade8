// The journal of Steward's own units (steward-api, steward-privd and their sockets), read by
// steward-privd: filter by unit, priority and start time on the host's side, by text here;
// at most 2,000 entries per read and 5,000 on the page. "Follow" asks again every few
// seconds for entries since the newest one shown.
import { LitElement, css, html, nothing } from 'lit';
import { STEWARD_UNITS } from '../../../../shared/privd-methods.ts';
import type { PrivdResult } from '../../../../shared/privd-methods.ts';
import { api, errorText } from '../../api/client.ts';
import { dateTime } from '../../lib/format.ts';
import { baseStyles } from '../../lib/styles.ts';
import { PollTimer } from '../../lib/poll-timer.ts';

type Entry = PrivdResult<'journal.read'>['entries'][number];

const FOLLOW_MS = 3000;
const PAGE_MAX = 5000;
export const PRIORITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

/** Entries of a follow-up read that are new: journalctl's `--since` is whole seconds, so the newest second comes again. */
export function newEntries(shown: readonly Entry[], read: readonly Entry[]): Entry[] {
  const last = shown.at(-1);
  if (!last) return [...read];
  const seen = new Set(shown.filter((e) => e.time >= Math.floor(last.time)).map((e) => `${e.time}\u0000${e.unit}\u0000${e.message}`));
  return read.filter((e) => e.time >= Math.floor(last.time) && !seen.has(`${e.time}\u0000${e.unit}\u0000${e.message}`));
}

export class StViewJournal extends LitElement {
  static override styles = [baseStyles, css`
    :host { display: block; }
    .filters { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: end; }
    .filters > div { display: flex; flex-direction: column; min-width: 9rem; }
    td.msg { font-family: var(--st-mono); font-size: 0.8rem; white-space: pre-wrap; overflow-wrap: anywhere; }
    td.time { white-space: nowrap; }
  `];
  static override properties = {
    entries: { state: true }, error: { state: true }, unit: { state: true }, priority: { state: true }, since: { state: true },
    text: { state: true }, lines: { state: true }, follow: { state: true }, loading: { state: true },
  };
  declare entries: Entry[];
  declare error: string | undefined;
  declare unit: string;
  declare priority: string;
  /** datetime-local value; empty: the newest entries whatever their age. */
  declare since: string;
  declare text: string;
  declare lines: number;
  declare follow: boolean;
  declare loading: boolean;
  private readonly timer = new PollTimer(this);
  /** Bumped on each new query, so late answers to an older one are dropped. */
  private generation = 0;

  constructor() {
    super();
    this.entries = [];
    this.unit = '';
    this.priority = '';
    this.since = '';
    this.text = '';
    this.lines = 200;
    this.follow = false;
    this.loading = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private journalQuery(since?: number): Record<string, string | number> {
    const q: Record<string, string | number> = { lines: this.lines };
    if (this.unit) q.unit = this.unit;
    if (this.priority !== '') q.priority = Number(this.priority);
    const from = since ?? (this.since ? Math.floor(new Date(this.since).getTime() / 1000) : undefined);
    if (from !== undefined && Number.isFinite(from)) q.since = from;
    return q;
  }

  /** A fresh read with the current filters. */
  private async load(): Promise<void> {
    this.timer.cancel();
    const generation = ++this.generation;
    this.loading = true;
    try {
      const r = await api.get<{ entries: Entry[] }>('/system/journal', this.journalQuery());
      if (generation !== this.generation) return;
      this.entries = r.entries.slice(-PAGE_MAX);
      this.error = undefined;
    } catch (err) {
      if (generation === this.generation) this.error = errorText(err);
    } finally {
      if (generation === this.generation) this.loading = false;
    }
    this.schedule(generation);
  }

  private schedule(generation: number): void {
    this.timer.cancel();
    if (this.follow && generation === this.generation) this.timer.schedule(() => void this.more(generation), FOLLOW_MS);
  }

  /** Follow: entries since the newest shown, appended. */
  private async more(generation: number): Promise<void> {
    const last = this.entries.at(-1);
    try {
      const r = await api.get<{ entries: Entry[] }>('/system/journal', this.journalQuery(last ? Math.floor(last.time) : undefined));
      if (generation !== this.generation) return;
      const fresh = newEntries(this.entries, r.entries);
      if (fresh.length) this.entries = [...this.entries, ...fresh].slice(-PAGE_MAX);
      this.error = undefined;
    } catch (err) {
      if (generation === this.generation) this.error = errorText(err);
    }
    this.schedule(generation);
  }

  private onFilter(ev: Event): void {
    const el = ev.target as HTMLInputElement | HTMLSelectElement;
    switch (el.name) {
      case 'unit': this.unit = el.value; break;
      case 'priority': this.priority = el.value; break;
      case 'since': this.since = el.value; break;
      case 'lines': this.lines = Math.min(2000, Math.max(1, Number(el.value) || 200)); break;
      case 'follow': this.follow = (el as HTMLInputElement).checked; break;
      default: return;
    }
    void this.load();
  }

  override updated(changed: Map<string, unknown>): void {
    // Following: keep the newest entry in view.
    if (this.follow && changed.has('entries')) this.renderRoot.querySelector('tbody tr:last-child')?.scrollIntoView({ block: 'nearest' });
  }

  override render() {
    const needle = this.text.toLowerCase();
    const shown = needle ? this.entries.filter((e) => e.message.toLowerCase().includes(needle)) : this.entries;
    return html`<h1>Journal</h1>
      <p class="muted">Steward's own units only, read by steward-privd.</p>
      <form class="filters card" aria-label="Journal filters" @change=${this.onFilter} @submit=${(e: Event) => e.preventDefault()}>
        <div><label for="unit">Unit</label>
          <select id="unit" name="unit"><option value="">All Steward units</option>${STEWARD_UNITS.map((u) => html`<option ?selected=${this.unit === u}>${u}</option>`)}</select></div>
        <div><label for="priority">Priority at most</label>
          <select id="priority" name="priority"><option value="">any</option>${PRIORITIES.map((p, i) => html`<option value=${i} ?selected=${this.priority === String(i)}>${i} ${p}</option>`)}</select></div>
        <div><label for="since">Since</label><input id="since" name="since" type="datetime-local" .value=${this.since}></div>
        <div><label for="lines">Entries</label><input id="lines" name="lines" type="number" min="1" max="2000" .value=${String(this.lines)}></div>
        <div><label for="text">Text</label><input id="text" name="text" type="search" maxlength="200" .value=${this.text} @input=${(e: Event) => { this.text = (e.target as HTMLInputElement).value; }}></div>
        <label><input type="checkbox" name="follow" ?checked=${this.follow}> Follow</label>
      </form>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      <section class="card table-wrap" aria-label="Journal entries">
        <table class="data"><thead><tr><th>Time</th><th>Unit</th><th>Priority</th><th>Message</th></tr></thead>
          <tbody>${shown.map((e) => html`<tr><td class="time">${dateTime(Math.floor(e.time))}</td><td class="mono">${e.unit}</td>
            <td><span class="badge ${e.priority <= 3 ? 'error' : e.priority === 4 ? 'warn' : ''}">${PRIORITIES[e.priority]}</span></td><td class="msg">${e.message}</td></tr>`)}</tbody></table>
        <p class="muted" role="status">${this.loading ? 'Loading…' : `${shown.length} of ${this.entries.length} entries${this.follow ? ', following' : ''}`}</p>
      </section>`;
  }
}
customElements.define('st-view-journal', StViewJournal);
