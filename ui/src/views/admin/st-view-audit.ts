// The audit log: who did what, from where, with what result — filtered by user, action and time.
import { css, html, nothing } from 'lit';
import { api } from '../../api/client.ts';
import { dateTime } from '../../lib/format.ts';
import { baseStyles } from '../../lib/styles.ts';
import { StAdminList, adminStyles, mono } from './st-admin-list.ts';
import type { ListSpec } from './st-admin-list.ts';

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

const resultClass = (r: string) => (r === 'ok' ? 'ok' : r === 'denied' ? 'warn' : 'error');

export class StViewAudit extends StAdminList<AuditEntry> {
  static override styles = [baseStyles, adminStyles, css`
    form { margin-bottom: 0.75rem; }
    form input, form select { width: auto; }
  `];

  private filters: Record<string, string | number | undefined> = {};

  protected readonly spec: ListSpec<AuditEntry> = {
    title: 'Audit log',
    adminPath: '/access',
    idOf: (e) => `${e.time} ${e.action}`,
    empty: 'No entries.',
    columns: {
      Time: (e) => dateTime(e.time / 1000),
      User: (e) => e.tokenid ?? e.user ?? '',
      Address: (e) => mono(e.ip ?? ''),
      Action: (e) => mono(e.action),
      Target: (e) => mono(e.target ?? ''),
      Result: (e) => html`<span class="badge ${resultClass(e.result)}" title=${e.error ?? ''}>${e.result}</span>
        ${e.error ? html`<span class="muted">${e.error}</span>` : nothing}`,
    },
  };

  protected fetchData(): Promise<AuditEntry[]> {
    return api.get<AuditEntry[]>('/access/audit', { ...this.filters, limit: 500 });
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
    this.data = undefined;
    void this.load();
  }

  protected override renderIntro() {
    return html`<form class="row" @submit=${this.onFilter} aria-label="Filters">
      <input name="user" placeholder="User" maxlength="128" aria-label="User">
      <input name="action" placeholder="Action (e.g. guest.start)" maxlength="64" aria-label="Action">
      <select name="result" aria-label="Result"><option value="">Any result</option><option value="ok">ok</option><option value="error">error</option><option value="denied">denied</option></select>
      <input name="since" type="datetime-local" aria-label="Since">
      <button type="submit">Filter</button>
      <span class="muted" role="status">${this.data ? `${this.data.length} entries` : 'Loading…'}</span>
    </form>`;
  }
}
customElements.define('st-view-audit', StViewAudit);
