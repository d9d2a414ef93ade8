// POST/DELETE /access/ticket: password login, the TFA second step, renewal and logout, with
// the fixed failure delay, failed-login blocking and login rate limits.
import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { setCookie, deleteCookie, getCookie } from 'hono/cookie';
import { ApiError } from '../../../shared/errors.ts';
import type { AppEnv } from '../framework/types.ts';
import type { AccessControl } from './access-control.ts';
import { COOKIE_NAME } from './access-control.ts';
import { dummyHash, verifyPassword } from './password.ts';
import { TFA_TICKET_LIFETIME_S, TICKET_LIFETIME_S, TICKET_PREFIX } from './ticket.ts';
import { TFA_FAILURE_LIMIT, TOTP_FAILURE_LIMIT } from './tfa.ts';
import { UserRepo } from './users.ts';

export interface TicketRequest {
  username: string;
  password?: string;
  'tfa-challenge'?: string;
  renew?: boolean;
}

export interface TicketAnswer {
  username: string;
  ticket: string;
  CSRFPreventionToken?: string;
  NeedTFA?: 1;
}

export function relyingParty(ac: AccessControl, c: Context<AppEnv>): { id: string; origin: string } {
  const host = (c.req.header('host') ?? 'localhost').slice(0, 255);
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return { id: ac.config.WEBAUTHN_RP_ID || hostname, origin: ac.config.WEBAUTHN_ORIGIN || `https://${host}` };
}

export class LoginFlow {
  constructor(private readonly ac: AccessControl) {}

  private issue(c: Context<AppEnv>, userid: string, sid: string): TicketAnswer {
    const nowS = this.ac.nowS();
    const ticket = this.ac.tickets.full(userid, sid, nowS);
    setCookie(c, COOKIE_NAME, ticket, { path: '/', httpOnly: true, secure: true, sameSite: 'Strict', maxAge: TICKET_LIFETIME_S });
    return { username: userid, ticket, CSRFPreventionToken: this.ac.tickets.csrf(userid, sid, nowS) };
  }

  /** Every failure looks the same to the caller and costs the same fixed delay. */
  private async fail(c: Context<AppEnv>, username: string, reason: string, action = 'login'): Promise<never> {
    const ip = c.get('clientIp');
    this.ac.loginBlocker.fail(`ip:${ip}`);
    this.ac.record({ action, result: 'denied', user: username.slice(0, 64), ip, reason, 'user-agent': c.req.header('user-agent')?.slice(0, 256) });
    this.ac.log.notice('authentication failure', { rhost: ip, user: username.slice(0, 64), msg: reason });
    await this.ac.sleep(this.ac.config.LOGIN_FAILURE_DELAY_MS);
    throw new ApiError('auth_failed', 'authentication failure');
  }

  async login(c: Context<AppEnv>, req: TicketRequest): Promise<TicketAnswer> {
    const ip = c.get('clientIp');
    this.ac.checkNotBlocked(ip);
    this.ac.throttle(`login-ip:${ip}`, this.ac.config.RATE_LIMIT_LOGIN);
    this.ac.throttle(`login-user:${req.username}`, this.ac.config.RATE_LIMIT_LOGIN);
    const password = req.password ?? '';

    // Renewal: the current ticket as the password (Proxmox), or the session cookie itself.
    if (password.startsWith(`${TICKET_PREFIX}:`) || (!password && req.renew)) {
      const t = this.ac.validTicket(password || (getCookie(c, COOKIE_NAME) ?? ''));
      const auth = c.get('auth');
      if (!t || t.userid !== req.username || (!password && auth?.userid !== t.userid)) return this.fail(c, req.username, 'invalid ticket for renewal', 'login.renew');
      return this.issue(c, t.userid, t.sid);
    }

    if (req['tfa-challenge']) return this.secondStep(c, req);

    const entry = this.ac.users.get(req.username);
    const ok = await verifyPassword(password, entry?.value.password ?? (await dummyHash()));
    if (!entry || !ok) return this.fail(c, req.username, entry ? 'wrong password' : 'unknown user');
    if (!UserRepo.active(entry.value, this.ac.nowS())) return this.fail(c, req.username, 'account disabled or expired');

    const challenge = await this.ac.tfa.challenge(req.username, relyingParty(this.ac, c));
    if (challenge) {
      this.ac.record({ action: 'login.password', result: 'ok', user: req.username, ip, reason: 'second factor required' });
      return { username: req.username, ticket: this.ac.tickets.challenge(req.username, challenge, this.ac.nowS()), NeedTFA: 1 };
    }
    const required = entry.value['tfa-required'] || this.ac.settings.get().value['tfa-required'];
    this.ac.loginBlocker.clear(`ip:${ip}`);
    this.ac.record({ action: 'login', result: 'ok', user: req.username, ip, 'user-agent': c.req.header('user-agent')?.slice(0, 256), ...(required ? { reason: 'second factor required but none configured: enrolment-only session' } : {}) });
    // TFA required but none set up: a session that may only enrol a second factor.
    return this.issue(c, req.username, (required ? 'r' : 's') + randomBytes(12).toString('base64url'));
  }

  /** Second step: the challenge ticket (once only, 5 minutes) and a `totp:`/`recovery:`/`webauthn:` answer. */
  private async secondStep(c: Context<AppEnv>, req: TicketRequest): Promise<TicketAnswer> {
    const ticket = req['tfa-challenge']!;
    const parsed = this.ac.tickets.parseChallenge(ticket, req.username, this.ac.nowS());
    if (!parsed) return this.fail(c, req.username, 'invalid or expired TFA challenge ticket', 'login.tfa');
    const sessions = this.ac.store.collection<number>('sessions');
    const usedKey = `used:${createHash('sha256').update(ticket).digest('hex')}`;
    if (sessions.get(usedKey)) return this.fail(c, req.username, 'TFA challenge ticket already used', 'login.tfa');
    const entry = this.ac.users.get(req.username);
    if (!entry || !UserRepo.active(entry.value, this.ac.nowS())) return this.fail(c, req.username, 'account disabled or expired', 'login.tfa');
    const r = await this.ac.tfa.verify(req.username, parsed.challenge, req.password ?? '', relyingParty(this.ac, c));
    const ip = c.get('clientIp');
    if (r.locked) {
      this.ac.record({ action: 'tfa.lockout', result: 'denied', user: req.username, ip, reason: r.locked === 'totp' ? `TOTP locked after ${TOTP_FAILURE_LIMIT} wrong codes` : `all second factors blocked for an hour after ${TFA_FAILURE_LIMIT} failures` });
      this.ac.log.warn('second factor lockout', { user: req.username, rhost: ip, factor: r.locked });
    }
    if (!r.ok) {
      if (r.locked === 'tfa' && r.reason === 'second factors blocked') {
        this.ac.record({ action: 'login.tfa', result: 'denied', user: req.username, ip, reason: r.reason });
        throw new ApiError('tfa_locked', 'second factors are blocked for this user after too many failures; try again later or ask an admin');
      }
      return this.fail(c, req.username, `${r.method}: ${r.reason}`, 'login.tfa');
    }
    await sessions.put(usedKey, parsed.time + TFA_TICKET_LIFETIME_S);
    this.ac.loginBlocker.clear(`ip:${ip}`);
    this.ac.record({ action: 'login', result: 'ok', user: req.username, ip, reason: `second factor: ${r.method}`, 'user-agent': c.req.header('user-agent')?.slice(0, 256) });
    return this.issue(c, req.username, 's' + randomBytes(12).toString('base64url'));
  }

  /** Revokes the session server-side: every ticket of this login stops working. */
  async logout(c: Context<AppEnv>): Promise<void> {
    const cookie = getCookie(c, COOKIE_NAME);
    const t = cookie ? this.ac.validTicket(cookie) : null;
    if (t) await this.ac.store.collection<number>('sessions').put(`revoked:${t.sid}`, t.time + TICKET_LIFETIME_S);
    deleteCookie(c, COOKIE_NAME, { path: '/', secure: true });
    this.ac.record({ action: 'logout', result: 'ok', user: c.get('auth')?.userid, ip: c.get('clientIp') });
  }
}
