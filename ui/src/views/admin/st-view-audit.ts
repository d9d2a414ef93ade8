// The audit log: who did what, from where, with what result — filtered by user, action and time.
import { LitElement, css, html, nothing } from 'lit';
import { api, errorText } from '../../api/client.ts';
import { dateTime } from '../../lib/format.ts';
import { baseStyles } from '../../lib/styles.ts';

interface AuditEntry {
  /** Epoch milliseconds. */
  time: number;
  action: string;
  user?: string;
  tokenid?: string;
  ip?: string;
  target?: string;
  result: 'ok' | 'error' | 'denied' | string;
  error?: string;
  code?: string;
}

export class StViewAudit extends LitElement {
  static override styles = [baseStyles, css`
    :host { display: block; }
    form { margin-bottom: 0.75rem; }
    form input, form select { width: auto; }
  `];
  static override properties = { entries: { state: true }, error: { state: true }, loading: { state: true } };
  declare entries: AuditEntry[];
  declare error: string | undefined;
  declare loading: boolean;
  private filters: Record<string, string | number | undefined> = {};

  constructor() {
    super();
    this.entries = [];
    this.loading = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.loading = true;
    try {
      const data = await api.get<AuditEntry[]>('/access/audit', { ...this.filters, limit: 500 });
      this.entries = data;
      this.error = undefined;
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.loading = false;
    }
  }

  private onFilter(ev: SubmitEvent): void {
    ev.preventDefault();
    const f = new FormData(ev.target as HTMLFormElement);
    const since = String(f.get('since') ?? '');
    this.filters = {
      user: String(f.get('user') ?? '').trim() || undefined,
      action: String(f.get('action') ?? '').trim() || undefined,
      result: String(f.get('result') ?? '') || undefined,
      since: since ? Math.floor(new Date(since).getTime() / 1000) : undefined,
    };
    void this.load();
  }

  override render() {
    return html`<h1>Audit log</h1>
      <form class="row" @submit=${this.onFilter} aria-label="Filters">
        <input name="user" placeholder="User" maxlength="128" aria-label="User">
        <input name="action" placeholder="Action (e.g. guest.start)" maxlength="64" aria-label="Action">
        <select name="result" aria-label="Result"><option value="">Any result</option><option value="ok">ok</option><option value="error">error</option><option value="denied">denied</option></select>
        <input name="since" type="datetime-local" aria-label="Since">
        <button type="submit">Filter</button>
        <span class="muted" role="status">${this.loading ? 'Loading…' : `${this.entries.length} entries`}</span>
      </form>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      <div class="card table-wrap"><table class="data" aria-label="Audit log">
        <thead><tr><th>Time</th><th>User</th><th>Address</th><th>Action</th><th>Target</th><th>Result</th></tr></thead>
        <tbody>${this.entries.map((e) => html`<tr>
          <td>${dateTime(e.time / 1000)}</td><td>${e.tokenid ?? e.user ?? ''}</td><td class="mono">${e.ip ?? ''}</td>
          <td class="mono">${e.action}</td><td class="mono">${e.target ?? ''}</td>
          <td><span class="badge ${e.result === 'ok' ? 'ok' : e.result === 'denied' ? 'warn' : 'error'}" title=${e.error ?? ''}>${e.result}</span>
            ${e.error ? html`<span class="muted">${e.error}</span>` : nothing}</td></tr>`)}</tbody>
      </table></div>`;
  }
}
customElements.define('st-view-audit', StViewAudit);
