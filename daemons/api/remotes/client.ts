// The HTTPS client for one remote and one of its credentials: pinned TLS per endpoint
// (tls.ts), keep-alive, a per-remote concurrency limit, timeouts, retries with back-off for
// idempotent GETs only, failover across the endpoints in order, and ticket login + renewal
// for user+password credentials. A request that a kept-alive connection's close cut off
// before any answer is sent once more on a new connection, whatever its method. Answers come back as the `data` of Proxmox's envelope;
// failures as ApiErrors with the catalogue's remote_* codes.
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError } from '../../../shared/errors.ts';
import type { RemoteType } from '../../../shared/remotes.ts';
import { Limiter } from './limiter.ts';
import { ConnectError, connectVerified, IDLE_CLOSE_MS, pinnedAgent } from './tls.ts';
import type { EndpointTarget } from './tls.ts';

export type ClientCredential =
  | { kind: 'token'; tokenid: string; secret: string }
  | { kind: 'password'; username: string; password: string };

export interface ClientTarget {
  id: string;
  type: RemoteType;
  endpoints: EndpointTarget[];
  credential: ClientCredential | null;
}

export interface ClientOptions {
  /** Requests in flight to this remote at once (also the sockets per endpoint). */
  concurrency: number;
  connectTimeoutMs: number;
  /** Whole request (connect + answer) for ordinary calls. */
  timeoutMs: number;
  /** Extra attempts for GETs that failed transiently (unreachable, 502/503/504, broken body). */
  retries: number;
  backoffMs: number;
  maxResponseBytes: number;
  /** An idle keep-alive connection is closed after this long (below the remotes' own 5 s). */
  idleMs: number;
  /** Told the size of every answer read (the daemon paces its garbage collection by it). */
  received?: (bytes: number) => void;
  now(): number;
  sleep(ms: number): Promise<void>;
}

/**
 * Defaults. 4 concurrent requests per remote is what PDM and the PVE web UI keep in flight
 * against one host; 5 s to connect and 30 s per call match pveproxy's own client timeouts;
 * two retries at 250/500 ms ride out a pveproxy worker restart without stalling a refresh.
 */
export const DEFAULT_CLIENT_OPTIONS: ClientOptions = {
  concurrency: 4,
  connectTimeoutMs: 5000,
  timeoutMs: 30_000,
  retries: 2,
  backoffMs: 250,
  maxResponseBytes: 256 * 1024 * 1024,
  idleMs: IDLE_CLOSE_MS,
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/** PVE tickets live 2 h; log in again well before, so a long refresh never runs on an expired one. */
const TICKET_RENEW_MS = 90 * 60_000;
/** An endpoint that failed is tried last for this long, so each call does not wait on a dead node first. */
const ENDPOINT_PENALTY_MS = 30_000;
const TRANSIENT_STATUS = new Set([502, 503, 504]);

export interface EndpointState {
  host: string;
  port: number;
  /** Set when the endpoint presented another certificate: no traffic until the pin is updated. */
  mismatch?: string;
  lastError?: string;
  failedAt?: number;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: Record<string, unknown>;
  timeoutMs?: number;
  /** Sends no credential (login page, version probes). */
  anonymous?: boolean;
}

interface RawResponse {
  status: number;
  statusMessage: string;
  body: Buffer;
}

type Attempt = { ok: true; res: RawResponse } | { ok: false; err: ApiError; retryable: boolean };

export class RemoteClient {
  private readonly agents: https.Agent[];
  private readonly limiter: Limiter;
  readonly endpoints: EndpointState[];
  private ticket: { ticket: string; csrf: string; at: number } | null = null;
  private login: Promise<void> | null = null;

  constructor(
    readonly target: ClientTarget,
    readonly opts: ClientOptions = DEFAULT_CLIENT_OPTIONS,
  ) {
    this.agents = target.endpoints.map((e) => pinnedAgent(e, { maxSockets: opts.concurrency, connectTimeoutMs: opts.connectTimeoutMs, idleMs: opts.idleMs }));
    this.endpoints = target.endpoints.map((e) => ({ host: e.host, port: e.port }));
    this.limiter = new Limiter(opts.concurrency);
  }

  close(): void {
    for (const a of this.agents) a.destroy();
  }

  /** Closes the kept-alive connections no request is using. */
  closeIdle(): void {
    for (const a of this.agents) for (const sockets of Object.values(a.freeSockets)) for (const s of sockets ?? []) s.destroy();
  }

  get(path: string, query?: RequestOptions['query'], opts: Omit<RequestOptions, 'query' | 'body'> = {}): Promise<unknown> {
    return this.request('GET', path, { ...opts, query });
  }

  post(path: string, body?: Record<string, unknown>, opts: Omit<RequestOptions, 'query' | 'body'> = {}): Promise<unknown> {
    return this.request('POST', path, { ...opts, body });
  }

  /** One API call; resolves with the envelope's `data`. */
  async request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, opts: RequestOptions = {}): Promise<unknown> {
    return this.limiter.run(async () => {
      const attempts = method === 'GET' ? 1 + this.opts.retries : 1;
      for (let i = 0; ; i++) {
        const last = i + 1 >= attempts;
        const r = await this.authenticatedOnce(method, path, opts);
        if (r.ok) {
          // A proxy or pveproxy restarting answers 502–504; a broken body is worth another try too.
          if (last || !TRANSIENT_STATUS.has(r.res.status)) {
            try {
              return decode(r.res, this.target.id);
            } catch (err) {
              if (last || !(err instanceof RetryableDecode)) throw err;
            }
          }
        } else if (!r.retryable || last) {
          throw r.err;
        }
        await this.opts.sleep(this.opts.backoffMs * 2 ** i);
      }
    });
  }

  private async authenticatedOnce(method: string, path: string, opts: RequestOptions): Promise<Attempt> {
    const cred = this.target.credential;
    if (opts.anonymous || !cred) return this.failover(method, path, opts, {});
    if (cred.kind === 'token') {
      const sep = this.target.type === 'pve' ? '=' : ':';
      const scheme = this.target.type === 'pve' ? 'PVEAPIToken' : 'PBSAPIToken';
      return this.failover(method, path, opts, { authorization: `${scheme}=${cred.tokenid}${sep}${cred.secret}` });
    }
    for (let fresh = false; ; fresh = true) {
      const ticket = await this.ensureTicket(cred, fresh);
      if (!ticket.ok) return ticket;
      const cookie = `${this.target.type === 'pve' ? 'PVEAuthCookie' : 'PBSAuthCookie'}=${encodeURIComponent(ticket.ticket)}`;
      const headers: Record<string, string> = { cookie };
      if (method !== 'GET') headers.csrfpreventiontoken = ticket.csrf;
      const r = await this.failover(method, path, opts, headers);
      // An expired or revoked ticket: log in once more, then give up.
      if (!fresh && r.ok && r.res.status === 401) continue;
      return r;
    }
  }

  private async ensureTicket(cred: Extract<ClientCredential, { kind: 'password' }>, force: boolean): Promise<({ ok: true } & { ticket: string; csrf: string }) | Extract<Attempt, { ok: false }>> {
    if (force) this.ticket = null;
    if (this.ticket && this.opts.now() - this.ticket.at < TICKET_RENEW_MS) return { ok: true, ...this.ticket };
    // One login at a time; concurrent requests wait for it.
    this.login ??= (async () => {
      const r = await this.failover('POST', '/access/ticket', { body: { username: cred.username, password: cred.password } }, {});
      if (!r.ok) throw r.err;
      if (r.res.status === 401) throw new ApiError('remote_auth_failed', `${this.target.id}: login as ${cred.username} failed (wrong user name or password)`);
      const data = decode(r.res, this.target.id) as { ticket?: unknown; CSRFPreventionToken?: unknown } | null;
      if (typeof data?.ticket !== 'string' || typeof data.CSRFPreventionToken !== 'string') throw new ApiError('remote_error', `${this.target.id}: the login answer carries no ticket`);
      this.ticket = { ticket: data.ticket, csrf: data.CSRFPreventionToken, at: this.opts.now() };
    })().finally(() => {
      this.login = null;
    });
    try {
      await this.login;
    } catch (err) {
      return { ok: false, err: err instanceof ApiError ? err : new ApiError('remote_error', String(err)), retryable: false };
    }
    return { ok: true, ...this.ticket! };
  }

  /** Endpoints in configured order, recently failed ones last, changed certificates never. */
  private order(): number[] {
    const now = this.opts.now();
    const idx = this.endpoints.map((_, i) => i).filter((i) => !this.endpoints[i]!.mismatch);
    const fresh = (i: number) => this.endpoints[i]!.failedAt === undefined || now - this.endpoints[i]!.failedAt! > ENDPOINT_PENALTY_MS;
    return [...idx.filter(fresh), ...idx.filter((i) => !fresh(i))];
  }

  private async failover(method: string, path: string, opts: RequestOptions, headers: Record<string, string>): Promise<Attempt> {
    const order = this.order();
    const problems: ConnectError[] = [];
    for (const i of order) {
      const ep = this.endpoints[i]!;
      try {
        // A change (start, stop, migrate, a login) goes on a connection of its own: on a kept-alive
        // one, a cut-off request can't be told apart from one the remote read before its worker
        // died, and a reboot or vzdump must never run twice. A read goes on a kept-alive
        // connection and, if the remote had just closed it (pveproxy ends idle connections and
        // restarts its workers) before sending a byte, once more on a new one.
        const fresh = method !== 'GET';
        const res = await this.send(i, method, path, opts, headers, fresh).catch((err: unknown) => {
          if (!fresh && err instanceof SentError && err.stale) return this.send(i, method, path, opts, headers, true);
          throw err;
        });
        ep.failedAt = undefined;
        ep.lastError = undefined;
        return { ok: true, res };
      } catch (err) {
        if (err instanceof ConnectError) {
          ep.failedAt = this.opts.now();
          ep.lastError = err.message;
          if (err.code === 'fingerprint_mismatch') ep.mismatch = err.seen;
          problems.push(err);
          continue; // nothing was sent: the next endpoint is safe to try, even for POSTs
        }
        if (err instanceof SentError) return { ok: false, err: err.apiError, retryable: method === 'GET' };
        throw err;
      }
    }
    const mismatched = this.endpoints.filter((e) => e.mismatch);
    if (problems.length === 0 && mismatched.length) {
      return { ok: false, retryable: false, err: new ApiError('fingerprint_mismatch', `${this.target.id}: every endpoint presented a changed certificate (${mismatched.map((e) => `${e.host}:${e.port}`).join(', ')}); an admin must trust the new fingerprint`) };
    }
    const first = problems.find((p) => p.code === 'fingerprint_mismatch') ?? problems.find((p) => p.code === 'remote_tls') ?? problems[0];
    const code = problems.every((p) => p.code === 'timeout') ? 'timeout' : first?.code === 'fingerprint_mismatch' || first?.code === 'remote_tls' ? first.code : 'remote_unreachable';
    return {
      ok: false,
      retryable: code === 'remote_unreachable' || code === 'timeout',
      err: new ApiError(code, `${this.target.id}: no endpoint answered: ${problems.map((p) => p.message).join('; ')}`.slice(0, 2000)),
    };
  }

  /** One request to endpoint i, on a kept-alive connection, or with `fresh` on a new one used only for it. */
  private send(i: number, method: string, path: string, opts: RequestOptions, headers: Record<string, string>, fresh = false): Promise<RawResponse> {
    const ep = this.target.endpoints[i]!;
    let url = `/api2/json${path}`;
    if (opts.query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(opts.query)) if (v !== undefined) qs.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
      const s = qs.toString();
      if (s) url += `?${s}`;
    }
    let payload: Buffer | undefined;
    if (opts.body && method !== 'GET') {
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(opts.body)) {
        if (v === undefined) continue;
        for (const item of Array.isArray(v) ? v : [v]) form.append(k, typeof item === 'boolean' ? (item ? '1' : '0') : String(item));
      }
      payload = Buffer.from(form.toString());
      headers = { ...headers, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(payload.length) };
    }
    const timeoutMs = opts.timeoutMs ?? this.opts.timeoutMs;
    return new Promise<RawResponse>((resolve, reject) => {
      let sent = false;
      let readBefore = 0;
      // A fresh connection goes through the same pinned handshake, outside the pool (no agent).
      const connection = fresh
        ? { createConnection: (_o: unknown, cb: (err: Error | null, socket?: Duplex) => void) => void connectVerified(ep, this.opts.connectTimeoutMs).then((s) => cb(null, s), (err: Error) => cb(err)) }
        : { agent: this.agents[i] };
      const req = https.request({ ...connection, host: ep.host, port: ep.port, method, path: url, headers: { accept: 'application/json', ...headers } } as https.RequestOptions);
      req.once('socket', (socket) => {
        sent = true;
        readBefore = socket.bytesRead;
      });
      // Once an answer has begun, Node reports its failures on the response only (no 'end',
      // no request 'error'), so the request is failed here directly.
      const fail = (err: Error) => {
        clearTimeout(timer);
        req.destroy();
        reject(err);
      };
      const timer = setTimeout(() => fail(new SentError(new ApiError('timeout', `${this.target.id}: ${method} ${path} got no answer within ${timeoutMs} ms`), false)), timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (err instanceof ConnectError) return reject(err);
        if (!sent) return reject(new ConnectError('remote_unreachable', `${ep.host}:${ep.port}: ${err.code ?? err.message}`));
        // A kept-alive connection the server had closed, with not one byte of an answer: the
        // server dropped it idle and never read the request (a server that read it answers, or
        // fails the answer after its first bytes).
        const stale = req.reusedSocket && req.socket?.bytesRead === readBefore && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
        reject(new SentError(new ApiError('remote_error', `${this.target.id}: connection to ${ep.host}:${ep.port} lost during ${method} ${path} (${err.code ?? err.message})`), stale));
      });
      req.on('response', (res: IncomingMessage) => {
        const body = new BodyBuffer(Number(res.headers['content-length']), this.opts.maxResponseBytes);
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > this.opts.maxResponseBytes) return fail(new SentError(new ApiError('remote_error', `${this.target.id}: answer to ${method} ${path} exceeds ${this.opts.maxResponseBytes} bytes`), false));
          body.push(c);
        });
        const truncated = () => fail(new SentError(new ApiError('remote_error', `${this.target.id}: truncated answer to ${method} ${path}`), false));
        res.on('end', () => {
          clearTimeout(timer);
          if (!res.complete) return truncated();
          this.opts.received?.(size);
          resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', body: body.bytes() });
        });
        // The connection ended before the whole answer: 'aborted' and 'error' on the response.
        res.on('error', truncated);
      });
      req.end(payload);
    });
  }
}

/** The largest answer read into a buffer sized by its Content-Length (/cluster/resources of 10,000 guests: ~4 MB). */
const PREALLOCATE_MAX = 8 * 2 ** 20;

/**
 * An answer's bytes. With a Content-Length (pveproxy and the PBS API send one), each chunk
 * is copied into one buffer of that size as it arrives, so the chunks die young instead of
 * waiting for the end of the answer — by then, with 200 answers arriving at once, most had
 * outlived two scavenges and sat in the old generation until a full collection. Only up to
 * PREALLOCATE_MAX: a remote announcing 250 MB and sending nothing must not reserve it.
 */
export class BodyBuffer {
  private readonly whole: Buffer | null;
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(length: number, max: number) {
    this.whole = Number.isSafeInteger(length) && length > 0 && length <= Math.min(max, PREALLOCATE_MAX) ? Buffer.allocUnsafeSlow(length) : null;
  }

  push(c: Buffer): void {
    if (this.whole && this.size + c.length <= this.whole.length) c.copy(this.whole, this.size);
    else this.chunks.push(c);
    this.size += c.length;
  }

  bytes(): Buffer {
    if (this.chunks.length === 0) return this.whole ? this.whole.subarray(0, this.size) : Buffer.alloc(0);
    // More than announced (or no length): everything in order.
    const head = this.whole ? [this.whole.subarray(0, this.size - this.chunks.reduce((n, c) => n + c.length, 0))] : [];
    return Buffer.concat([...head, ...this.chunks]);
  }
}

/** A failure after the request was (possibly) sent. */
class SentError extends Error {
  constructor(
    readonly apiError: ApiError,
    /** Cut off on a reused connection before any answer: the remote did not process it (safe to send again, even a POST). */
    readonly stale: boolean,
  ) {
    super(apiError.message);
  }
}

/** The remote's own explanation: reason phrase and the envelope's message/errors. */
function remoteMessage(res: RawResponse): string {
  let detail = '';
  try {
    const body = JSON.parse(res.body.toString('utf8')) as { message?: unknown; errors?: unknown };
    if (typeof body.message === 'string') detail = body.message.trim();
    if (body.errors && typeof body.errors === 'object') {
      detail += ' ' + Object.entries(body.errors as Record<string, unknown>).map(([k, v]) => `${k}: ${String(v).trim()}`).join('; ');
    }
  } catch {
    // not JSON: the reason phrase says it
  }
  const msg = [res.statusMessage, detail.trim()].filter(Boolean).join(' — ');
  return msg.slice(0, 1000) || `HTTP ${res.status}`;
}

class RetryableDecode extends ApiError {}

function decode(res: RawResponse, remote: string): unknown {
  if (res.status === 401) throw new ApiError('remote_auth_failed', `${remote}: the remote refused the credential (${remoteMessage(res)})`);
  if (res.status === 403) throw new ApiError('remote_forbidden', `${remote}: ${remoteMessage(res)}`);
  if (res.status < 200 || res.status >= 300) throw new ApiError('remote_error', `${remote}: HTTP ${res.status}: ${remoteMessage(res)}`);
  try {
    const body = JSON.parse(res.body.toString('utf8')) as { data?: unknown };
    if (body === null || typeof body !== 'object' || !('data' in body)) throw new Error('no data');
    return body.data;
  } catch {
    throw new RetryableDecode('remote_error', `${remote}: malformed answer (not a Proxmox JSON envelope)`);
  }
}
