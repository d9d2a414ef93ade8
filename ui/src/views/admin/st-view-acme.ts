// ACME for this host's HTTPS certificate: accounts at a CA, the settings (account, domains,
// challenge), ordering a certificate (a background job whose state and log are polled while
// it runs) and revoking the installed one. Everything here needs Admin on /system.
import { LitElement, css, html, nothing } from 'lit';
import { api, errorText, path } from '../../api/client.ts';
import { ask } from '../../components/st-confirm.ts';
import '../../components/st-dialog.ts';
import type { StDialog } from '../../components/st-dialog.ts';
import { dateTime } from '../../lib/format.ts';
import { notify, notifyError } from '../../lib/notify.ts';
import { baseStyles } from '../../lib/styles.ts';
import { PollTimer } from '../../lib/poll-timer.ts';
import { formValues } from './forms.ts';

interface Account { name: string; directory: string; contact: string[]; 'tos-agreed': boolean; 'terms-url': string | null; url: string; created: number }
interface Settings { account: string; domains: string[]; challenge: 'http-01' | 'dns-01'; digest: string }
interface Renewal { 'last-check': number | null; outcome: string | null; 'next-check': number | null; 'renew-before-days': number }
interface Job {
  id: string; trigger: 'manual' | 'renewal'; state: 'running' | 'ok' | 'error'; started: number; finished: number | null;
  domains: string[]; log: { time: number; message: string }[]; error: { code: string; message: string } | null;
  fingerprint: string | null; notAfter: number | null;
}

const POLL_MS = 2000;
const LETS_ENCRYPT = 'https://acme-v02.api.letsencrypt.org/directory';

/** "a.example, b.example\nc.example" → names. */
export function splitList(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

export class StViewAcme extends LitElement {
  static override styles = [baseStyles, css`
    :host { display: block; }
    .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(30rem, 100%), 1fr)); gap: 1rem; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.35rem 1rem; margin: 0; }
    dt { color: var(--st-text-muted); }
    dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
    pre { white-space: pre-wrap; font-size: 0.8rem; max-height: 16rem; overflow: auto; background: var(--st-surface-2); padding: 0.5rem; border-radius: var(--st-radius); }
    details { margin-top: 0.75rem; }
    .terms { margin: 0.5rem 0; }
  `];
  static override properties = {
    accounts: { state: true }, settings: { state: true }, job: { state: true }, errors: { state: true }, busy: { state: true },
    terms: { state: true }, revoking: { state: true }, renewal: { state: true },
  };
  declare renewal: Renewal | undefined;
  declare accounts: Account[] | undefined;
  declare settings: Settings | null | undefined;
  declare job: Job | null | undefined;
  declare errors: string[];
  declare busy: boolean;
  /** The CA's terms URL for the directory typed in the create form (null: it has none). */
  declare terms: string | null | undefined;
  declare revoking: boolean;
  private readonly timer = new PollTimer(this);

  constructor() {
    super();
    this.errors = [];
    this.busy = false;
    this.revoking = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    const [accounts, settings, job, renewal] = await Promise.allSettled([
      api.get<Account[]>('/system/acme/accounts'),
      api.get<Settings | null>('/system/acme/settings'),
      api.get<Job | null>('/system/acme/order'),
      api.get<Renewal>('/system/acme/renewal'),
    ]);
    if (accounts.status === 'fulfilled') this.accounts = accounts.value;
    if (settings.status === 'fulfilled') this.settings = settings.value;
    if (job.status === 'fulfilled') this.setJob(job.value);
    if (renewal.status === 'fulfilled') this.renewal = renewal.value;
    this.errors = [accounts, settings, job, renewal].filter((r) => r.status === 'rejected').map((r) => errorText((r as PromiseRejectedResult).reason));
  }

  /** Shows the job and keeps polling it while it runs (only while the page is open). */
  private setJob(job: Job | null): void {
    const was = this.job?.state;
    this.job = job;
    this.timer.cancel();
    if (job?.state === 'running') this.timer.schedule(() => void this.poll(), POLL_MS);
    else if (was === 'running' && job) notify(job.state === 'ok' ? 'ok' : 'error', job.state === 'ok' ? 'Certificate issued and installed' : `Order failed: ${job.error?.message ?? 'unknown error'}`);
  }

  private async poll(): Promise<void> {
    try {
      this.setJob(await api.get<Job | null>('/system/acme/order'));
    } catch (err) {
      notifyError(err, 'Cannot read the order');
    }
  }

  private async lookupTerms(ev: Event): Promise<void> {
    const directory = (ev.target as HTMLInputElement).value.trim();
    this.terms = undefined;
    if (!directory) return;
    try {
      this.terms = await api.get<string | null>('/system/acme/tos', { directory });
    } catch (err) {
      notifyError(err, 'Cannot read the terms of service');
    }
  }

  private async createAccount(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const form = ev.target as HTMLFormElement;
    const f = formValues(form);
    this.busy = true;
    try {
      await api.post('/system/acme/accounts', { name: f.name, directory: f.directory, contact: splitList(f.contact ?? ''), 'tos-agreed': f['tos-agreed'] === 'on' });
      notify('ok', `Account ${f.name} registered`);
      form.reset();
      this.terms = undefined;
      await this.load();
    } catch (err) {
      notifyError(err);
    } finally {
      this.busy = false;
    }
  }

  private async deleteAccount(a: Account): Promise<void> {
    const yes = await ask({ heading: `Forget account ${a.name}?`, message: 'Its key is deleted here; the CA keeps its record.', action: 'Forget', danger: true });
    if (!yes) return;
    try {
      await api.delete(path`/system/acme/accounts/${a.name}`);
      notify('ok', `Account ${a.name} removed`);
    } catch (err) {
      notifyError(err);
    }
    await this.load();
  }

  private async saveSettings(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const f = formValues(ev.target as HTMLFormElement);
    this.busy = true;
    try {
      await api.put('/system/acme/settings', { account: f.account, domains: splitList(f.domains ?? ''), challenge: f.challenge, digest: this.settings?.digest });
      notify('ok', 'ACME settings saved');
      await this.load();
    } catch (err) {
      notifyError(err);
    } finally {
      this.busy = false;
    }
  }

  private async order(): Promise<void> {
    this.busy = true;
    try {
      this.setJob(await api.post<Job>('/system/acme/order', {}));
      notify('info', 'Certificate order started');
    } catch (err) {
      notifyError(err);
    } finally {
      this.busy = false;
    }
  }

  private async askRevoke(): Promise<void> {
    this.revoking = true;
    await this.updateComplete;
    this.renderRoot.querySelector<StDialog>('st-dialog#revoke')?.show();
  }

  private async revoke(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const f = formValues(ev.target as HTMLFormElement);
    this.renderRoot.querySelector<StDialog>('st-dialog#revoke')?.close();
    this.revoking = false;
    this.busy = true;
    try {
      const r = await api.post<{ fingerprint: string }>('/system/acme/revoke', { reason: Number(f.reason ?? 0) });
      notify('ok', `Certificate ${r.fingerprint} revoked`);
    } catch (err) {
      notifyError(err);
    } finally {
      this.busy = false;
    }
  }

  private renderAccounts() {
    const list = this.accounts ?? [];
    return html`<section class="card table-wrap" aria-label="ACME accounts"><h2>Accounts</h2>
      ${list.length ? html`<table class="data" aria-label="Accounts"><thead><tr><th>Name</th><th>Directory</th><th>Contact</th><th>Terms</th><th>Created</th><th></th></tr></thead>
        <tbody>${list.map((a) => html`<tr><td>${a.name}</td><td class="mono">${a.directory}</td><td>${a.contact.join(', ')}</td>
          <td>${a['tos-agreed'] ? 'agreed' : 'not agreed'}${a['terms-url'] ? html` (<a href=${a['terms-url']} target="_blank" rel="noopener noreferrer">terms</a>)` : nothing}</td>
          <td>${dateTime(a.created)}</td>
          <td><button class="danger" @click=${() => void this.deleteAccount(a)}>Remove</button></td></tr>`)}</tbody></table>`
        : html`<p>No account yet.</p>`}
      <details><summary>Register an account</summary>
        <form @submit=${this.createAccount}>
          <label for="acct-name">Name</label><input id="acct-name" name="name" required maxlength="64">
          <label for="directory">Directory URL</label>
          <input id="directory" name="directory" type="url" required maxlength="512" value=${LETS_ENCRYPT} @change=${this.lookupTerms}>
          <label for="contact">Contact e-mail addresses</label><input id="contact" name="contact" required maxlength="2048" placeholder="admin@example.com">
          <p class="terms muted">${this.terms === undefined
            ? 'The CA\'s terms of service are read from its directory when you change the URL.'
            : this.terms ? html`Terms of service: <a href=${this.terms} target="_blank" rel="noopener noreferrer">${this.terms}</a>` : 'This CA publishes no terms of service.'}</p>
          <label><input type="checkbox" name="tos-agreed"> I agree to the CA's terms of service</label>
          <div class="row"><button class="primary" type="submit" ?disabled=${this.busy}>Register</button></div>
        </form></details>
    </section>`;
  }

  private renderSettings() {
    const s = this.settings;
    const names = (this.accounts ?? []).map((a) => a.name);
    return html`<section class="card" aria-label="ACME settings"><h2>Settings</h2>
      <form @submit=${this.saveSettings}>
        <label for="account">Account</label>
        <select id="account" name="account" required>${names.map((n) => html`<option ?selected=${s?.account === n}>${n}</option>`)}</select>
        <label for="domains">Domains (the certificate's names)</label>
        <input id="domains" name="domains" required maxlength="25000" value=${s?.domains.join(', ') ?? ''} placeholder="steward.example.com">
        <label for="challenge">Challenge</label>
        <select id="challenge" name="challenge">
          <option value="http-01" ?selected=${s?.challenge !== 'dns-01'}>http-01</option>
          <option value="dns-01" ?selected=${s?.challenge === 'dns-01'}>dns-01</option>
        </select>
        <div class="row"><button class="primary" type="submit" ?disabled=${this.busy || !names.length}>Save</button></div>
      </form>
    </section>`;
  }

  private renderOrder() {
    const j = this.job;
    const running = j?.state === 'running';
    return html`<section class="card" aria-label="Certificate order">
      <div class="row"><h2>Certificate</h2><span class="spacer"></span>
        <button class="primary" @click=${this.order} ?disabled=${this.busy || running || !this.settings}>${running ? 'Ordering…' : 'Order certificate'}</button>
        <button class="danger" @click=${this.askRevoke} ?disabled=${this.busy || running}>Revoke…</button></div>
      ${j ? html`<dl>
          <dt>State</dt><dd><span class="badge ${j.state === 'ok' ? 'ok' : j.state === 'error' ? 'error' : ''}">${j.state}</span> (${j.trigger})</dd>
          <dt>Domains</dt><dd>${j.domains.join(', ')}</dd>
          <dt>Started</dt><dd>${dateTime(j.started)}${j.finished ? html` – finished ${dateTime(j.finished)}` : nothing}</dd>
          ${j.fingerprint ? html`<dt>SHA-256</dt><dd class="mono">${j.fingerprint}</dd>` : nothing}
          ${j.notAfter ? html`<dt>Valid until</dt><dd>${dateTime(j.notAfter)}</dd>` : nothing}
        </dl>
        ${j.error ? html`<div class="error-box" role="alert">${j.error.message}</div>` : nothing}
        <pre aria-label="Order log">${j.log.map((l) => `${dateTime(l.time)}  ${l.message}`).join('\n')}</pre>`
        : html`<p>No order yet.</p>`}
      ${this.renderRenewal()}
      ${this.revoking ? html`<st-dialog id="revoke" heading="Revoke the certificate" @close=${() => { this.revoking = false; }}>
        <form id="revoke-form" @submit=${this.revoke}>
          <p>The installed certificate is revoked at the CA that issued it. Browsers may refuse it from then on; order a new one afterwards.</p>
          <label for="reason">Reason</label>
          <select id="reason" name="reason">
            <option value="0">Unspecified</option><option value="1">Key compromise</option>
            <option value="4">Superseded</option><option value="5">Cessation of operation</option>
          </select>
        </form>
        <button slot="actions" type="submit" form="revoke-form" class="danger">Revoke</button>
      </st-dialog>` : nothing}
    </section>`;
  }

  private renderRenewal() {
    const r = this.renewal;
    if (!r || !this.settings) return nothing;
    return html`<p class="muted" aria-label="Renewal">Automatic renewal ${r['renew-before-days']} days before expiry.
      ${r['last-check'] ? html`Last check ${dateTime(r['last-check'])}: ${r.outcome}.` : nothing}
      ${r['next-check'] ? html`Next check ${dateTime(r['next-check'])}.` : nothing}</p>`;
  }

  override render() {
    return html`<h1>ACME certificates</h1>
      ${this.errors.map((e) => html`<div class="error-box" role="alert">${e}</div>`)}
      <div class="grid">${this.renderAccounts()}${this.renderSettings()}${this.renderOrder()}</div>`;
  }
}
customElements.define('st-view-acme', StViewAcme);
