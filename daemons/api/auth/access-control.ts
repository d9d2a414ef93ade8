// The access-control service: who is calling (tickets with CSRF, API tokens), what they may
// do (ACL with groups of users, token privilege separation and ceilings, groups of remotes),
// network-level limits (allowlist, rate limits, failed-login blocking) and the audit log.
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { ApiError } from '../../../shared/errors.ts';
import type { Config } from '../../common/config.ts';
import type { Logger } from '../../common/log.ts';
import type { AccessHooks, AppEnv, AuditEvent, AuthInfo, Privilege } from '../framework/types.ts';
import type { Store } from '../store/store.ts';
import type { AclQuery, RemoteAccess, Role } from './acl-query.ts';
import { privilegeAtLeast, ROLE_PRIVILEGE } from './acl-query.ts';
import { AclRepo, evaluate, maxRole, minRole } from './acl.ts';
import type { Evaluation, Subject } from './acl.ts';
import { AuditLog } from './audit-log.ts';
import type { AuditInput } from './audit-log.ts';
import { CidrSet, clientAddress } from './network.ts';
import { FailureBlocker, RateLimiter } from './rate-limit.ts';
import { RemoteGroupRepo } from './remote-groups.ts';
import { SettingsRepo } from './settings.ts';
import { TicketCodec } from './ticket.ts';
import type { FullTicket } from './ticket.ts';
import { TicketKeys } from './ticket-keys.ts';
import { TokenRepo } from './tokens.ts';
import { UserRepo } from './users.ts';
import { TfaService } from './tfa.ts';
import { verifyPassword } from './password.ts';

export const COOKIE_NAME = 'StewardAuthCookie';
export const CSRF_HEADER = 'CSRFPreventionToken';

export interface AccessOptions {
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
  /** Waits before a failed login answers; tests record the delay instead of waiting. */
  sleep?: (ms: number) => Promise<void>;
  keys?: TicketKeys;
  /** scrypt cost (log2 N) for new password hashes; tests lower it to stay fast. */
  passwordCost?: number;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class AccessControl {
  readonly users: UserRepo;
  readonly tokens: TokenRepo;
  readonly acl: AclRepo;
  readonly remoteGroups: RemoteGroupRepo;
  readonly settings: SettingsRepo;
  readonly auditLog: AuditLog;
  readonly tickets: TicketCodec;
  readonly tfa: TfaService;
  readonly limiter: RateLimiter;
  readonly loginBlocker: FailureBlocker;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Sessions that must enrol a second factor first (TFA required, none configured): no rights. */
  private readonly restricted = new WeakSet<AuthInfo>();
  private trusted: { list: readonly string[]; set: CidrSet } | undefined;

  constructor(
    readonly store: Store,
    private readonly getConfig: () => Config,
    readonly log: Logger,
    opts: AccessOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? realSleep;
    this.users = new UserRepo(store, opts.passwordCost);
    this.tokens = new TokenRepo(store);
    this.acl = new AclRepo(store);
    this.remoteGroups = new RemoteGroupRepo(store, () => this.acl.generation());
    this.settings = new SettingsRepo(store);
    this.auditLog = new AuditLog(store, this.now);
    this.tickets = new TicketCodec(opts.keys ?? TicketKeys.loadOrCreate(getConfig().TICKET_KEY_FILE));
    this.tfa = new TfaService(store, this.now);
    this.limiter = new RateLimiter(this.now);
    const c = () => this.getConfig();
    this.loginBlocker = new FailureBlocker(this.now, () => ({ failures: c().LOGIN_BLOCK_FAILURES, windowMs: c().LOGIN_BLOCK_WINDOW * 1000, blockMs: c().LOGIN_BLOCK_DURATION * 1000 }));
  }

  get config(): Config {
    return this.getConfig();
  }

  nowS(): number {
    return Math.floor(this.now() / 1000);
  }

  // ---- network ------------------------------------------------------------------------

  private trustedProxies(): CidrSet {
    const list = this.config.TRUSTED_PROXIES;
    if (!this.trusted || this.trusted.list !== list) this.trusted = { list, set: new CidrSet(list) };
    return this.trusted.set;
  }

  /** The real client (behind trusted proxies), checked against the allowlist. */
  admitClient(c: Context<AppEnv>): string {
    const ip = clientAddress(c.get('clientIp'), c.req.header('x-forwarded-for'), this.trustedProxies());
    c.set('clientIp', ip);
    if (!this.settings.allowed(ip)) throw new ApiError('ip_blocked', 'this address is not in the IP allowlist');
    return ip;
  }

  /** 429 with Retry-After when the key has used up its bucket. */
  throttle(key: string, perMinute: number): void {
    const wait = this.limiter.take(key, { count: perMinute, windowMs: 60_000 });
    if (wait > 0) throw new ApiError('rate_limited', `too many requests; retry in ${wait} s`, { headers: { 'Retry-After': String(wait) } });
  }

  /** 429 while the address is blocked after repeated failed logins. */
  checkNotBlocked(ip: string): void {
    const wait = this.loginBlocker.blockedFor(`ip:${ip}`);
    if (wait > 0) throw new ApiError('rate_limited', `too many failed logins from this address; retry in ${wait} s`, { headers: { 'Retry-After': String(wait) } });
  }

  // ---- authentication -----------------------------------------------------------------

  async authenticate(c: Context<AppEnv>): Promise<AuthInfo | null> {
    const ip = this.admitClient(c);
    const header = c.req.header('authorization');
    if (header) return this.authenticateToken(header, ip, c);
    const cookie = getCookie(c, COOKIE_NAME);
    if (cookie) return this.authenticateTicket(c, cookie);
    return null;
  }

  private async authenticateToken(header: string, ip: string, c: Context<AppEnv>): Promise<AuthInfo> {
    const m = /^(?:StewardAPIToken=|Bearer\s+)([^\s:]{1,97}):(\S{1,256})$/.exec(header.trim());
    this.checkNotBlocked(ip);
    const refuse = (reason: string, tokenid?: string): never => {
      this.loginBlocker.fail(`ip:${ip}`);
      this.record({ action: 'token.auth', result: 'denied', tokenid, ip, reason, 'user-agent': c.req.header('user-agent') });
      throw new ApiError('unauthenticated', 'invalid API token');
    };
    if (!m) return refuse('malformed Authorization header');
    const [, tokenid, secret] = m as unknown as [string, string, string];
    const token = this.tokens.check(tokenid, secret);
    if (!token) return refuse('unknown token or wrong secret', tokenid.slice(0, 97));
    const nowS = this.nowS();
    if (!token.enable) return refuse('token disabled', tokenid);
    if (token.expire && token.expire <= nowS) return refuse('token expired', tokenid);
    const user = this.users.get(token.userid)?.value;
    if (!user || !UserRepo.active(user, nowS)) return refuse('user disabled or expired', tokenid);
    this.throttle(`api:${tokenid}`, this.config.RATE_LIMIT_API);
    this.tokens.markUsed(tokenid, nowS);
    return { userid: token.userid, tokenid, kind: 'token' };
  }

  /** The session a ticket stands for, if it is still good (signature, age, not revoked, user active). */
  validTicket(ticket: string): FullTicket | null {
    const nowS = this.nowS();
    const t = this.tickets.parseFull(ticket, nowS);
    if (!t) return null;
    if (this.store.collection<number>('sessions').get(`revoked:${t.sid}`)) return null;
    const user = this.users.get(t.userid)?.value;
    if (!user || !UserRepo.active(user, nowS)) return null;
    if (user['tickets-after'] && t.time < user['tickets-after']) return null;
    return t;
  }

  private async authenticateTicket(c: Context<AppEnv>, cookie: string): Promise<AuthInfo | null> {
    const t = this.validTicket(cookie);
    // An expired or foreign cookie is no credential at all: the browser can still log in again.
    if (!t) return null;
    const method = c.req.method;
    if (method !== 'GET' && method !== 'HEAD') {
      const csrf = c.req.header(CSRF_HEADER);
      if (!csrf || !this.tickets.checkCsrf(csrf, t.userid, t.sid, this.nowS())) {
        // Logging in again needs no CSRF token; everything else that changes state does.
        if (c.req.path.endsWith('/access/ticket') && method === 'POST') return null;
        throw new ApiError('csrf', 'missing or invalid CSRFPreventionToken header');
      }
    }
    this.throttle(`api:${t.userid}`, this.config.RATE_LIMIT_API);
    const auth: AuthInfo = { userid: t.userid, kind: 'ticket' };
    if (t.sid.startsWith('r')) this.restricted.add(auth);
    return auth;
  }

  /** Whether this session may only enrol a second factor (TFA required, none configured). */
  isRestricted(auth: AuthInfo): boolean {
    return this.restricted.has(auth);
  }

  /** Re-authentication for sensitive changes: the user's own password, or auth_failed after the usual delay. */
  async confirmPassword(userid: string, password: string | undefined, message: string): Promise<void> {
    const me = this.users.require(userid).value;
    if (!(await verifyPassword(password ?? '', me.password))) {
      await this.sleep(this.config.LOGIN_FAILURE_DELAY_MS);
      throw new ApiError('auth_failed', message);
    }
  }

  // ---- authorisation ------------------------------------------------------------------

  private userSubject(userid: string): Subject {
    return { type: 'user', id: userid, groups: this.users.get(userid)?.value.groups ?? [] };
  }

  /** The caller's role on a path from ACL entries alone (token rules applied, no groups of remotes). */
  private direct(auth: AuthInfo, path: string): Evaluation {
    if (this.restricted.has(auth)) return { role: null, noAccess: false };
    const byPath = this.acl.byPath();
    const user = evaluate(byPath, this.userSubject(auth.userid), path);
    if (!auth.tokenid) return user;
    const token = this.tokens.get(auth.tokenid)?.value;
    if (!token) return { role: null, noAccess: false };
    let role = user.role;
    let noAccess = user.noAccess;
    if (token.privsep) {
      const own = evaluate(byPath, { type: 'token', id: auth.tokenid, groups: [] }, path);
      role = minRole(role, own.role);
      noAccess ||= own.noAccess;
    }
    if (token.role) role = minRole(role, token.role);
    return { role, noAccess };
  }

  role(auth: AuthInfo, path: string): Role | null {
    const d = this.direct(auth, path);
    const m = /^\/remotes\/([^/]+)/.exec(path);
    if (!m || d.noAccess) return d.role;
    let role = d.role;
    for (const g of this.remoteGroups.byRemote().get(m[1]!) ?? []) role = maxRole(role, this.direct(auth, `/groups/${g.group}`).role);
    return role;
  }

  remoteAccess(auth: AuthInfo, remoteId: string): RemoteAccess | null {
    const d = this.direct(auth, `/remotes/${remoteId}`);
    if (d.noAccess) return null;
    let best: RemoteAccess | null = d.role ? { role: d.role, credential: null } : null;
    for (const g of this.remoteGroups.byRemote().get(remoteId) ?? []) {
      const r = this.direct(auth, `/groups/${g.group}`).role;
      if (r && (!best || maxRole(best.role, r) !== best.role)) best = { role: r, credential: g.credential };
    }
    return best;
  }

  views(auth: AuthInfo): { id: string; role: Role }[] {
    const out: { id: string; role: Role }[] = [];
    for (const { key } of this.store.collection('views').list()) {
      const role = this.role(auth, `/views/${key}`);
      if (role) out.push({ id: key, role });
    }
    return out;
  }

  authorize(auth: AuthInfo, path: string, privilege: Privilege): boolean {
    const role = this.role(auth, path);
    return role !== null && privilegeAtLeast(ROLE_PRIVILEGE[role], privilege);
  }

  /** Effective privileges per path (Proxmox's `{"/path": {"audit": 1, …}}`) for the UI. */
  permissions(auth: AuthInfo): Record<string, Record<string, number>> {
    const paths = new Set(['/', '/system', '/access', '/remotes', '/groups', '/views']);
    for (const e of this.acl.list()) paths.add(e.path);
    for (const name of ['remotes', 'groups', 'views'] as const) for (const { key } of this.store.collection(name).list()) paths.add(`/${name}/${key}`);
    const out: Record<string, Record<string, number>> = {};
    for (const p of [...paths].sort()) {
      const role = this.role(auth, p);
      const privs: Record<string, number> = {};
      if (role) for (const priv of ['audit', 'manage', 'admin'] as const) if (privilegeAtLeast(ROLE_PRIVILEGE[role], priv)) privs[priv] = 1;
      // Paths with nothing are listed only when an entry there cuts what a parent grants.
      if (role || this.direct(auth, p).noAccess) out[p] = privs;
    }
    return out;
  }

  readonly query: AclQuery = {
    role: (auth, path) => this.role(auth, path),
    remoteAccess: (auth, id) => this.remoteAccess(auth, id),
    views: (auth) => this.views(auth),
  };

  // ---- audit --------------------------------------------------------------------------

  record(input: AuditInput): void {
    try {
      this.auditLog.append(input);
    } catch (err) {
      this.log.error('audit log append failed', { action: input.action, err });
    }
  }

  readonly hooks: AccessHooks = {
    authenticate: (c) => this.authenticate(c),
    authorize: (auth, path, priv) => this.authorize(auth, path, priv),
    audit: (e: AuditEvent) =>
      this.record({
        action: e.action, result: e.result, user: e.auth?.userid, tokenid: e.auth?.tokenid, ip: e.ip,
        'user-agent': e.userAgent, target: e.target, error: e.error, code: e.code, request: e.requestId,
      }),
  };

  /** Drops revoked-session and used-challenge markers once the tickets they refer to have expired. */
  private async pruneSessions(): Promise<void> {
    const sessions = this.store.collection<number>('sessions');
    const nowS = this.nowS();
    for (const e of sessions.list()) if (/^(revoked|used):/.test(e.key) && typeof e.value === 'number' && e.value < nowS) await sessions.delete(e.key).catch(() => undefined);
  }

  /** Background work: batched token last-use writes, audit retention, expired session markers. */
  startMaintenance(): { stop(): Promise<void> } {
    let pending: Promise<void> = Promise.resolve();
    const prune = () => {
      pending = this.pruneSessions().catch((err: unknown) => this.log.error('session pruning failed', { err }));
      try {
        const n = this.auditLog.prune(this.config.AUDIT_MAX_ENTRIES, this.config.AUDIT_RETENTION_DAYS * 86_400_000);
        if (n) this.log.info('audit log pruned', { removed: n });
      } catch (err) {
        this.log.error('audit log pruning failed', { err });
      }
    };
    prune();
    const flush = setInterval(() => void this.tokens.flushUsage().catch((err: unknown) => this.log.error('token usage flush failed', { err })), 60_000);
    const pruneTimer = setInterval(prune, 3_600_000);
    flush.unref();
    pruneTimer.unref();
    return {
      stop: async () => {
        clearInterval(flush);
        clearInterval(pruneTimer);
        await pending;
        await this.tokens.flushUsage();
      },
    };
  }
}
