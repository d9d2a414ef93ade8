// ACME for steward-api's own certificate (acme-client): accounts, the host's ACME settings,
// one order at a time as a tracked background job, revocation. The API never binds :80 nor
// runs programs: http-01 answers come from privd's responder (`acme.serve`), dns-01 records
// from the administrator's hook run by privd (`acme.dns`), and the result is installed by
// privd (`cert.install`, which makes the API reload it without a restart).
// Account keys live in the API's store (LMDB under DATA_DIR) and never leave it.
import { randomUUID, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import acme from 'acme-client';
import { ApiError } from '../../../shared/errors.ts';
import type { ErrorCode } from '../../../shared/errors.ts';
import type { PrivdActor } from '../../../shared/privd-methods.ts';
import type { AppDeps } from '../deps.ts';

type Challenge = Parameters<acme.Client['completeChallenge']>[0];

export type ChallengeType = 'http-01' | 'dns-01';

export interface AccountRecord {
  name: string;
  directory: string;
  contact: string[];
  tosAgreed: boolean;
  termsUrl: string | null;
  url: string;
  /** PEM of the account key: stays in the store, never in an API answer or a log. */
  key: string;
  created: number;
}

export interface AcmeSettings {
  account: string;
  domains: string[];
  challenge: ChallengeType;
}

export interface OrderJob {
  id: string;
  trigger: 'manual' | 'renewal';
  state: 'running' | 'ok' | 'error';
  started: number;
  finished: number | null;
  domains: string[];
  log: { time: number; message: string }[];
  error: { code: ErrorCode; message: string } | null;
  fingerprint: string | null;
  notAfter: number | null;
}

/** The renewal schedule, kept across restarts (renewal.ts). */
export interface RenewalState {
  /** Epoch seconds of the last check, and what it found. */
  lastCheck: number | null;
  outcome: string | null;
  /** Epoch seconds of the next planned check. */
  nextCheck: number | null;
}

/** What the last successful order installed (needed to revoke with the right account). */
interface IssuedRecord {
  account: string;
  fingerprint: string;
  notAfter: number;
}

export interface AcmeOptions {
  now?: () => number;
  /** Polling of challenge/order status (acme-client backoff); tests make it short. */
  backoff?: { attempts: number; minMs: number; maxMs: number };
  /**
   * Retries of one HTTP request after a network error, 429 or 5xx (acme-client's shared HTTP
   * client): 2 by default, 2 s apart and growing, so a wrong directory URL fails in seconds
   * rather than acme-client's default 75 s.
   */
  retry?: { attempts: number; delayS: number };
}

const LOG_MAX = 200;
const SETTINGS_KEY = 'settings';
const ISSUED_KEY = 'issued';
const JOB_KEY = 'job';
const RENEWAL_KEY = 'renewal';
export const ORDER_INTERRUPTED = 'steward-api stopped while the order was running; start it again';
const accountKey = (name: string) => `account:${name}`;

/** An account as the API shows it: everything but the key. */
export function publicAccount(a: AccountRecord) {
  return { name: a.name, directory: a.directory, contact: a.contact, 'tos-agreed': a.tosAgreed, 'terms-url': a.termsUrl, url: a.url, created: a.created };
}

function causeMessage(err: unknown): string {
  const e = err as { message?: string; code?: string; cause?: { message?: string } };
  return [e.code, e.message ?? String(err)].filter(Boolean).join(': ').slice(0, 500);
}

export class AcmeService {
  private readonly deps: AppDeps;
  readonly now: () => number;
  private readonly backoff: { attempts: number; minMs: number; maxMs: number };
  private current: OrderJob | null = null;
  private running: Promise<OrderJob> | null = null;
  private renewal: RenewalState | undefined;

  constructor(deps: AppDeps, opts: AcmeOptions = {}) {
    this.deps = deps;
    this.now = opts.now ?? Date.now;
    this.backoff = opts.backoff ?? { attempts: 10, minMs: 1000, maxMs: 10_000 };
    const retry = opts.retry ?? { attempts: 2, delayS: 2 };
    Object.assign((acme.axios.defaults as unknown as { acmeSettings: object }).acmeSettings, { retryMaxAttempts: retry.attempts, retryDefaultDelay: retry.delayS });
  }

  private get db() {
    return this.deps.store.collection<AccountRecord | AcmeSettings | IssuedRecord | OrderJob | RenewalState>('acme');
  }

  private client(directoryUrl: string, key: string, accountUrl?: string) {
    return new acme.Client({
      directoryUrl,
      accountKey: key,
      ...(accountUrl ? { accountUrl } : {}),
      backoffAttempts: this.backoff.attempts,
      backoffMin: this.backoff.minMs,
      backoffMax: this.backoff.maxMs,
    });
  }

  accounts(): AccountRecord[] {
    return this.db.list('account:').map((e) => e.value as AccountRecord);
  }

  account(name: string): AccountRecord {
    const a = this.db.get(accountKey(name))?.value as AccountRecord | undefined;
    if (!a) throw new ApiError('not_found', `no ACME account '${name}'`);
    return a;
  }

  /** The CA's terms of service URL (null when it has none); also proves the directory answers. */
  async termsOfService(directory: string): Promise<string | null> {
    const probe = this.client(directory, (await acme.crypto.createPrivateEcdsaKey()).toString());
    try {
      return (await probe.getTermsOfServiceUrl()) ?? null;
    } catch (err) {
      throw new ApiError('acme_directory_unreachable', `the ACME directory ${directory} could not be read: ${causeMessage(err)}`);
    }
  }

  /** Registers a new account key with the CA and stores it. */
  async createAccount(input: { name: string; directory: string; contact: string[]; tosAgreed: boolean }): Promise<AccountRecord> {
    if (this.db.get(accountKey(input.name))) throw new ApiError('conflict', `ACME account '${input.name}' already exists`);
    const termsUrl = await this.termsOfService(input.directory);
    if (termsUrl && !input.tosAgreed) {
      throw new ApiError('acme_terms_not_agreed', `the CA's terms of service (${termsUrl}) must be agreed to: send tos-agreed=1 after reading them`);
    }
    const key = (await acme.crypto.createPrivateEcdsaKey()).toString();
    const client = this.client(input.directory, key);
    try {
      await client.createAccount({ termsOfServiceAgreed: input.tosAgreed, contact: input.contact.map((c) => `mailto:${c}`) });
    } catch (err) {
      const msg = causeMessage(err);
      if (/terms|agree/i.test(msg)) throw new ApiError('acme_terms_not_agreed', `the CA refused the account: ${msg}`);
      throw new ApiError('validation', `the CA refused the account: ${msg}`, { errors: { contact: msg } });
    }
    const record: AccountRecord = { ...input, termsUrl, url: client.getAccountUrl(), key, created: Math.floor(this.now() / 1000) };
    await this.db.create(accountKey(input.name), record);
    return record;
  }

  async deleteAccount(name: string): Promise<void> {
    this.account(name);
    if (this.settings()?.account === name) throw new ApiError('conflict', `ACME account '${name}' is used by the ACME settings; change them first`);
    await this.db.delete(accountKey(name));
  }

  settings(): AcmeSettings | null {
    return (this.db.get(SETTINGS_KEY)?.value as AcmeSettings | undefined) ?? null;
  }

  settingsVersion(): number | undefined {
    return this.db.get(SETTINGS_KEY)?.version;
  }

  async setSettings(s: AcmeSettings, expected?: number): Promise<void> {
    this.account(s.account);
    if (this.db.get(SETTINGS_KEY)) await this.db.update(SETTINGS_KEY, s, expected);
    else await this.db.create(SETTINGS_KEY, s);
  }

  /**
   * The running or last order, from the store: it outlives the process, so the ACME page
   * shows the last result and log after a restart. A job stored as running that this
   * process does not run was cut off by a stop; it reads as failed.
   */
  job(): OrderJob | null {
    if (this.current) return this.current;
    const stored = (this.db.get(JOB_KEY)?.value as OrderJob | undefined) ?? null;
    return stored?.state === 'running' ? interrupted(stored) : stored;
  }

  /** At start: a job left running by the previous process is stored as failed. */
  async recover(): Promise<void> {
    const stored = this.db.get(JOB_KEY)?.value as OrderJob | undefined;
    if (stored?.state === 'running' && !this.running) await this.db.put(JOB_KEY, interrupted(stored));
  }

  /** Stores a copy of the job (failures only logged: the order itself goes on). */
  private save(job: OrderJob): Promise<void> {
    return this.db.put(JOB_KEY, { ...job, log: [...job.log] }).catch((err: unknown) => this.deps.log.warn('acme job not saved', { error: String(err) }));
  }

  renewalState(): RenewalState {
    return this.renewal ?? (this.db.get(RENEWAL_KEY)?.value as RenewalState | undefined) ?? { lastCheck: null, outcome: null, nextCheck: null };
  }

  /** Kept in memory too: two updates in a row must not read the store before the first commits. */
  async setRenewalState(patch: Partial<RenewalState>): Promise<void> {
    this.renewal = { ...this.renewalState(), ...patch };
    await this.db.put(RENEWAL_KEY, this.renewal);
  }

  /**
   * Starts an order for the configured domains (or a subset of them) as a background job and
   * returns it at once; `wait()` resolves when it ends. One order at a time.
   */
  startOrder(actor: PrivdActor, trigger: OrderJob['trigger'] = 'manual', domains?: string[]): OrderJob {
    if (this.running) throw new ApiError('conflict', `an ACME order is already running (job ${this.current?.id})`);
    const settings = this.settings();
    if (!settings) throw new ApiError('validation', 'configure ACME first (PUT /system/acme/settings: account, domains, challenge)');
    const account = this.account(settings.account);
    const wanted = domains ?? settings.domains;
    const unknown = wanted.filter((d) => !settings.domains.includes(d));
    if (unknown.length) throw new ApiError('acme_domain_rejected', `not a configured ACME domain: ${unknown.join(', ')}`, { errors: { domains: unknown.join(', ') } });
    const job: OrderJob = {
      id: randomUUID(), trigger, state: 'running', started: Math.floor(this.now() / 1000), finished: null,
      domains: wanted, log: [], error: null, fingerprint: null, notAfter: null,
    };
    this.current = job;
    void this.save(job);
    this.running = this.runOrder(job, account, settings.challenge, actor)
      .then((r) => Object.assign(job, { state: 'ok', fingerprint: r.fingerprint, notAfter: r.notAfter }))
      .catch((err: unknown) => {
        const e = err instanceof ApiError ? err : new ApiError('internal', `ACME order failed: ${causeMessage(err)}`);
        this.note(job, `failed: ${e.message}`);
        this.deps.log.warn('acme order failed', { job: job.id, code: e.code, error: e.message });
        return Object.assign(job, { state: 'error', error: { code: e.code, message: e.message } });
      })
      .finally(async () => {
        job.finished = Math.floor(this.now() / 1000);
        this.running = null;
        await this.save(job);
      }) as Promise<OrderJob>;
    return job;
  }

  /** Resolves with the running job once it ends (or the last job). */
  async wait(): Promise<OrderJob | null> {
    return (await this.running) ?? this.current;
  }

  private note(job: OrderJob, message: string): void {
    job.log.push({ time: Math.floor(this.now() / 1000), message });
    if (job.log.length > LOG_MAX) job.log.splice(0, job.log.length - LOG_MAX);
    void this.save(job);
  }

  private async runOrder(job: OrderJob, account: AccountRecord, challenge: ChallengeType, actor: PrivdActor) {
    const { privd } = this.deps;
    const client = this.client(account.directory, account.key, account.url);
    this.note(job, `ordering a certificate for ${job.domains.join(', ')} from ${account.directory} (account ${account.name}, ${challenge})`);
    try {
      await client.getTermsOfServiceUrl();
    } catch (err) {
      throw new ApiError('acme_directory_unreachable', `the ACME directory ${account.directory} could not be read: ${causeMessage(err)}`);
    }
    let order;
    try {
      order = await client.createOrder({ identifiers: job.domains.map((value) => ({ type: 'dns', value })) });
    } catch (err) {
      throw new ApiError('acme_domain_rejected', `the CA refused the order for ${job.domains.join(', ')}: ${causeMessage(err)}`);
    }
    const authorizations = await client.getAuthorizations(order);
    const pending: { domain: string; challenge: Challenge; keyAuthorization: string }[] = [];
    for (const authz of authorizations) {
      const domain = authz.identifier.value;
      if (authz.status === 'valid') {
        this.note(job, `${domain}: already authorized`);
        continue;
      }
      const ch = authz.challenges.find((c) => c.type === challenge);
      if (!ch) throw new ApiError('acme_challenge_failed', `the CA offers no ${challenge} challenge for ${domain}`);
      pending.push({ domain, challenge: ch, keyAuthorization: await client.getChallengeKeyAuthorization(ch) });
    }

    const published: typeof pending = [];
    try {
      if (challenge === 'http-01' && pending.length) {
        const { port } = await privd.call('acme.serve', { challenges: pending.map((p) => ({ token: p.challenge.token, keyAuthorization: p.keyAuthorization })) }, actor);
        published.push(...pending);
        this.note(job, `http-01 responder of steward-privd serving ${pending.length} token(s) on port ${port}`);
      }
      if (challenge === 'dns-01') {
        for (const p of pending) {
          const name = `_acme-challenge.${p.domain.replace(/^\*\./, '')}`;
          await privd.call('acme.dns', { action: 'add', domain: p.domain, name, value: p.keyAuthorization }, actor, 150_000);
          published.push(p);
          this.note(job, `dns-01 hook added the TXT record ${name}`);
        }
      }
      for (const p of pending) {
        await client.completeChallenge(p.challenge);
        try {
          await client.waitForValidStatus(p.challenge);
        } catch (err) {
          throw new ApiError('acme_challenge_failed', `the CA could not validate ${p.domain} (${challenge}): ${causeMessage(err).replace(/^Error: /, '')}`);
        }
        this.note(job, `${p.domain}: validated`);
      }
    } finally {
      await this.unpublish(challenge, published, actor, job);
    }

    const [key, csr] = await acme.crypto.createCsr({ commonName: job.domains[0], altNames: job.domains }, await acme.crypto.createPrivateEcdsaKey());
    // The finalized order (not the created one, which may already be 'ready') names the certificate.
    const finalized = await client.finalizeOrder(order, csr);
    const certificates = await client.getCertificate(finalized);
    this.note(job, 'certificate issued; installing it through steward-privd');
    const installed = await privd.call('cert.install', { certificates, key: key.toString() }, actor);
    await this.db.put(ISSUED_KEY, { account: account.name, fingerprint: installed.fingerprint, notAfter: installed.notAfter });
    this.note(job, `installed ${installed.fingerprint} (valid until ${new Date(installed.notAfter * 1000).toISOString()}); steward-api ${installed.api}`);
    this.deps.log.notice('acme certificate installed', { job: job.id, domains: job.domains.join(','), fingerprint: installed.fingerprint });
    return installed;
  }

  private async unpublish(challenge: ChallengeType, published: { domain: string; keyAuthorization: string }[], actor: PrivdActor, job: OrderJob) {
    if (!published.length) return;
    try {
      if (challenge === 'http-01') await this.deps.privd.call('acme.unserve', {}, actor);
      else {
        for (const p of published) {
          const name = `_acme-challenge.${p.domain.replace(/^\*\./, '')}`;
          await this.deps.privd.call('acme.dns', { action: 'remove', domain: p.domain, name, value: p.keyAuthorization }, actor, 150_000);
        }
      }
    } catch (err) {
      // Cleanup failing must not hide the order's outcome; the responder stops by itself.
      this.note(job, `cleanup of the ${challenge} answers failed: ${causeMessage(err)}`);
    }
  }

  /** The installed certificate (API's CERT_FILE): fingerprint and expiry. */
  async installed(): Promise<{ pem: string; fingerprint: string; notAfter: number }> {
    const pem = await readFile(this.deps.config.CERT_FILE, 'utf8');
    const x = new X509Certificate(pem);
    return { pem, fingerprint: x.fingerprint256, notAfter: Math.floor(new Date(x.validTo).getTime() / 1000) };
  }

  /** Revokes the installed certificate with the account that ordered it. */
  async revoke(reason: number): Promise<{ fingerprint: string }> {
    const issued = this.db.get(ISSUED_KEY)?.value as IssuedRecord | undefined;
    const cur = await this.installed();
    if (!issued || issued.fingerprint !== cur.fingerprint) {
      throw new ApiError('validation', 'the installed certificate was not issued through Steward\'s ACME; nothing to revoke');
    }
    const account = this.account(issued.account);
    try {
      await this.client(account.directory, account.key, account.url).revokeCertificate(cur.pem, { reason });
    } catch (err) {
      throw new ApiError('validation', `the CA refused the revocation: ${causeMessage(err)}`);
    }
    await this.db.delete(ISSUED_KEY);
    return { fingerprint: cur.fingerprint };
  }
}

function interrupted(job: OrderJob): OrderJob {
  return { ...job, state: 'error', finished: job.finished ?? job.log.at(-1)?.time ?? job.started, error: { code: 'unavailable', message: ORDER_INTERRUPTED } };
}

/** The daemon's one AcmeService (created on first use; tests set `deps.acme` themselves). */
export function acmeOf(deps: AppDeps): AcmeService {
  deps.acme ??= new AcmeService(deps);
  return deps.acme;
}
