// The add-remote wizard: probe the host's certificate → the admin checks and trusts the
// fingerprint → test a credential and discover the cluster's nodes → name it and save.
import { LitElement, css, html, nothing } from 'lit';
import type { z } from 'zod';
import { ProbeTlsBody, RemoteCreateSchema, ScanBody } from '../../../../shared/remotes.ts';
import type { ProbeTlsResult, ScanResult } from '../../../../shared/remotes.ts';
import { api, errorText } from '../../api/client.ts';
import { baseStyles } from '../../lib/styles.ts';
import { apiFieldErrors, fieldError, formValues, validate } from './forms.ts';
import type { FieldErrors } from './forms.ts';

type Probe = z.infer<typeof ProbeTlsResult>;
type Scan = z.infer<typeof ScanResult>;
type Step = 'host' | 'trust' | 'credential' | 'nodes' | 'done';

const STEPS: { id: Step; label: string }[] = [
  { id: 'host', label: 'Host' },
  { id: 'trust', label: 'Certificate' },
  { id: 'credential', label: 'Credential' },
  { id: 'nodes', label: 'Nodes & name' },
];

export class StAddRemote extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: block; }
      ol.steps { display: flex; gap: 0.5rem; list-style: none; padding: 0; margin: 0 0 1rem; flex-wrap: wrap; }
      ol.steps li { padding: 0.2rem 0.7rem; border-radius: 999px; background: var(--st-surface-2); color: var(--st-text-muted); font-size: 0.85rem; }
      ol.steps li[aria-current='step'] { background: var(--st-accent); color: var(--st-accent-text); font-weight: 600; }
      .fp { font-family: var(--st-mono); font-size: 0.9rem; word-break: break-all; background: var(--st-surface-2); padding: 0.5rem; border-radius: var(--st-radius); }
      .buttons { margin-top: 1rem; }
      .two { display: grid; grid-template-columns: 1fr 8rem; gap: 0 0.75rem; }
      .warn { background: var(--st-warn-bg); color: var(--st-warn); border-radius: var(--st-radius); padding: 0.5rem 0.8rem; margin: 0.5rem 0; }
      dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1rem; }
      dt { color: var(--st-text-muted); }
      dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
    `,
  ];

  static override properties = {
    step: { state: true },
    busy: { state: true },
    error: { state: true },
    errors: { state: true },
    probe: { state: true },
    scan: { state: true },
    credKind: { state: true },
  };

  declare step: Step;
  declare busy: boolean;
  declare error: string | undefined;
  declare errors: FieldErrors;
  declare probe: Probe | undefined;
  declare scan: Scan | undefined;
  declare credKind: 'token' | 'password';
  private target: z.output<typeof ProbeTlsBody> & { type: 'pve' | 'pbs' } = { host: '', type: 'pve' };
  private credential: z.output<typeof ScanBody>['credential'] | undefined;

  constructor() {
    super();
    this.step = 'host';
    this.busy = false;
    this.errors = {};
    this.credKind = 'token';
  }

  private async call<T>(fn: () => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    this.error = undefined;
    try {
      return await fn();
    } catch (err) {
      this.error = errorText(err);
      this.errors = apiFieldErrors(err);
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  private async onHost(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const v = validate(ProbeTlsBody, formValues(ev.target as HTMLFormElement));
    if (!v.ok) {
      this.errors = v.errors;
      return;
    }
    this.errors = {};
    this.target = { ...v.value, type: v.value.type ?? 'pve' };
    const probe = await this.call(() => api.post<Probe>('/remotes/probe-tls', v.value));
    if (probe) {
      this.probe = probe;
      this.step = 'trust';
    }
  }

  private async onCredential(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const f = formValues(ev.target as HTMLFormElement);
    const credential = this.credKind === 'token'
      ? { kind: 'token' as const, tokenid: f.tokenid, secret: f.secret }
      : { kind: 'password' as const, username: f.username, password: f.password };
    const body = { type: this.target.type, host: this.target.host, port: this.probe?.port, fingerprint: this.probe?.trusted ? undefined : this.probe?.fingerprint, credential };
    const v = validate(ScanBody, body);
    if (!v.ok) {
      this.errors = Object.fromEntries(Object.entries(v.errors).map(([k, m]) => [k.replace(/^credential\./, ''), m]));
      return;
    }
    this.errors = {};
    const scan = await this.call(() => api.post<Scan>('/remotes/scan', v.value));
    if (scan) {
      this.credential = v.value.credential;
      this.scan = scan;
      this.step = 'nodes';
    }
  }

  private async onSave(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const f = formValues(ev.target as HTMLFormElement);
    if (!this.scan || !this.credential) return;
    const c = this.credential;
    const credential = c.kind === 'token'
      ? { name: f['credential-name'] ?? 'default', kind: 'token' as const, tokenid: c.tokenid, secret: c.secret }
      : { name: f['credential-name'] ?? 'default', kind: 'password' as const, username: c.username, password: c.password };
    const body = { id: f.id, type: this.scan.type, endpoints: this.scan.endpoints, credentials: [credential], comment: f.comment };
    const v = validate(RemoteCreateSchema, body);
    if (!v.ok) {
      this.errors = v.errors;
      return;
    }
    this.errors = {};
    const saved = await this.call(() => api.post<{ id: string }>('/remotes', body));
    if (saved) {
      this.step = 'done';
      this.dispatchEvent(new CustomEvent('remote-added', { detail: saved.id, bubbles: true, composed: true }));
    }
  }

  private renderHost() {
    return html`<form @submit=${this.onHost} novalidate>
      <label for="type">Product</label>
      <select id="type" name="type">
        <option value="pve" ?selected=${this.target.type === 'pve'}>Proxmox VE (cluster or single node)</option>
        <option value="pbs" ?selected=${this.target.type === 'pbs'}>Proxmox Backup Server</option>
      </select>
      <div class="two">
        <div><label for="host">Host name or address</label>
          <input id="host" name="host" required maxlength="253" autocapitalize="off" spellcheck="false" .value=${this.target.host} placeholder="pve1.example.com">
          ${fieldError(this.errors, 'host')}</div>
        <div><label for="port">Port</label>
          <input id="port" name="port" inputmode="numeric" maxlength="5" placeholder=${this.target.type === 'pbs' ? '8007' : '8006'}>
          ${fieldError(this.errors, 'port')}</div>
      </div>
      <p class="muted">Steward connects and reads the certificate only; no credential is sent yet.</p>
      <div class="row buttons"><button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Connecting…' : 'Connect'}</button></div>
    </form>`;
  }

  private renderTrust() {
    const p = this.probe!;
    const leaf = p.chain[0];
    return html`
      <dl>
        <dt>Host</dt><dd>${p.host}:${p.port}${p.product ? html` · ${p.product.toUpperCase()} ${p.version ?? ''}` : nothing}</dd>
        ${leaf ? html`<dt>Subject</dt><dd>${leaf.subject}</dd><dt>Issuer</dt><dd>${leaf.issuer}</dd><dt>Valid</dt><dd>${leaf['not-before']} – ${leaf['not-after']}</dd>` : nothing}
      </dl>
      <p>SHA-256 fingerprint:</p>
      <div class="fp" aria-label="Certificate fingerprint">${p.fingerprint}</div>
      ${p.trusted
        ? html`<div class="ok-box">The certificate is signed by a trusted authority.</div>`
        : html`<div class="warn">The certificate is self-signed or not trusted${p['trust-error'] ? ` (${p['trust-error']})` : ''}. Compare the
            fingerprint with the one shown on the host (Datacenter → node → Certificates, or <code>pvenode cert info</code>) before trusting it.</div>`}
      <div class="row buttons">
        <button @click=${() => { this.step = 'host'; }}>Back</button>
        <button class="primary" @click=${() => { this.step = 'credential'; }}>Trust this certificate</button>
      </div>`;
  }

  private renderCredential() {
    const token = this.credKind === 'token';
    return html`<form @submit=${this.onCredential} novalidate>
      <fieldset class="row">
        <legend class="visually-hidden">Credential kind</legend>
        <label><input type="radio" name="kind" value="token" ?checked=${token} @change=${() => { this.credKind = 'token'; }}> API token (recommended)</label>
        <label><input type="radio" name="kind" value="password" ?checked=${!token} @change=${() => { this.credKind = 'password'; }}> User and password</label>
      </fieldset>
      ${token
        ? html`<label for="tokenid">Token id</label>
            <input id="tokenid" name="tokenid" required maxlength="128" autocapitalize="off" spellcheck="false" placeholder="steward@pve!dcm">
            ${fieldError(this.errors, 'tokenid')}
            <label for="secret">Token secret</label>
            <input id="secret" name="secret" type="password" required maxlength="512" autocomplete="off">
            ${fieldError(this.errors, 'secret')}`
        : html`<label for="username">User</label>
            <input id="username" name="username" required maxlength="128" autocapitalize="off" spellcheck="false" placeholder="root@pam">
            ${fieldError(this.errors, 'username')}
            <label for="password">Password</label>
            <input id="password" name="password" type="password" required maxlength="1024" autocomplete="off">
            ${fieldError(this.errors, 'password')}`}
      <div class="row buttons">
        <button type="button" @click=${() => { this.step = 'trust'; }}>Back</button>
        <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Testing…' : 'Test and discover nodes'}</button>
      </div>
    </form>`;
  }

  private renderNodes() {
    const s = this.scan!;
    const missing = s.privileges.filter((p) => !p.granted);
    return html`
      <dl><dt>Version</dt><dd>${s.type.toUpperCase()} ${s.version}${s.release ? ` (${s.release})` : ''}</dd>
        ${s.cluster ? html`<dt>Cluster</dt><dd>${s.cluster}</dd>` : nothing}</dl>
      <table class="data" aria-label="Discovered nodes">
        <thead><tr><th>Node</th><th>Address</th><th>Status</th></tr></thead>
        <tbody>${s.nodes.map((n) => html`<tr><td>${n.name}</td><td class="mono">${n.host}:${n.port}</td>
          <td>${n.online ? html`<span class="badge ok">online</span>` : html`<span class="badge error">offline</span> ${n.error ?? ''}`}</td></tr>`)}</tbody>
      </table>
      ${missing.length ? html`<div class="warn">The credential lacks privileges for: ${missing.map((p) => `${p.feature} (${p.privileges.join(', ')} on ${p.path})`).join('; ')}.</div>` : nothing}
      ${s.warnings.map((w) => html`<div class="warn">${w}</div>`)}
      <form @submit=${this.onSave} novalidate>
        <div class="two">
          <div><label for="id">Remote id</label>
            <input id="id" name="id" required maxlength="64" autocapitalize="off" spellcheck="false" .value=${(s.cluster ?? s.nodes[0]?.name ?? '').toLowerCase()}>
            ${fieldError(this.errors, 'id')}</div>
          <div><label for="credential-name">Credential name</label>
            <input id="credential-name" name="credential-name" maxlength="32" value="default">
            ${fieldError(this.errors, 'credentials.0.name')}</div>
        </div>
        <label for="comment">Comment</label>
        <input id="comment" name="comment" maxlength="4096">
        <div class="row buttons">
          <button type="button" @click=${() => { this.step = 'credential'; }}>Back</button>
          <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Saving…' : 'Add remote'}</button>
        </div>
      </form>`;
  }

  override render() {
    if (this.step === 'done') return html`<div class="ok-box" role="status">Remote added. Its resources appear after the first poll.</div>`;
    return html`
      <ol class="steps">${STEPS.map((s) => html`<li aria-current=${s.id === this.step ? 'step' : 'false'}>${s.label}</li>`)}</ol>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      ${this.step === 'host' ? this.renderHost() : this.step === 'trust' ? this.renderTrust() : this.step === 'credential' ? this.renderCredential() : this.renderNodes()}`;
  }
}
customElements.define('st-add-remote', StAddRemote);
