// The login session as the UI keeps it: the user name and the CSRFPreventionToken (the
// ticket itself is an HttpOnly cookie the page never sees), in sessionStorage so a reload
// keeps you logged in but a closed tab does not. Also the two-step TFA login and the
// background ticket renewal.
import { ApiRequestError, api, onUnauthenticated, request, setCsrfToken } from './client.ts';
import type { PermissionMap, Privilege } from './permissions.ts';
import { can, canAnywhereUnder } from './permissions.ts';
import type { RequestOptionsJson } from './webauthn.ts';

const STORAGE_KEY = 'steward.session';
/** Tickets live 2 h; renew well before (Proxmox's UI renews every 15 minutes). */
export const RENEW_INTERVAL_MS = 15 * 60_000;

export interface TicketAnswer {
  username: string;
  ticket?: string;
  CSRFPreventionToken?: string;
  NeedTFA?: number | boolean;
  /** The second factors the user has, when the API lists them beside the challenge. */
  tfa?: TfaChallenge;
}

/** What a TFA challenge offers: which factors the user can answer with. */
export interface TfaChallenge {
  totp?: boolean;
  recovery?: boolean | unknown[];
  webauthn?: RequestOptionsJson | { publicKey: RequestOptionsJson };
}

export type LoginResult = { kind: 'ok' } | { kind: 'tfa'; username: string; challenge: string; tfa: TfaChallenge };

export type TfaAnswer = { kind: 'totp'; code: string } | { kind: 'recovery'; key: string } | { kind: 'webauthn'; assertion: string };

interface Stored { username: string; csrf: string }

type Listener = () => void;

/**
 * A challenge ticket may carry the offered factors in its payload, Proxmox-style:
 * `PREFIX:!tfa!<url-encoded JSON>:…`. Read them when the API did not list them separately.
 */
export function challengeFactors(ticket: string): TfaChallenge {
  const m = /!tfa!([^:]+)/.exec(ticket);
  if (!m?.[1]) return {};
  try {
    return JSON.parse(decodeURIComponent(m[1])) as TfaChallenge;
  } catch {
    return {};
  }
}

/** The TFA answer as the ticket route takes it in `password`: `totp:…`, `recovery:…`, `webauthn:…`. */
export function tfaPassword(answer: TfaAnswer): string {
  switch (answer.kind) {
    case 'totp': return `totp:${answer.code.replace(/\s+/g, '')}`;
    case 'recovery': return `recovery:${answer.key.trim()}`;
    case 'webauthn': return `webauthn:${answer.assertion}`;
  }
}

class Session {
  username: string | undefined;
  permissions: PermissionMap = {};
  /** Why the last session ended, shown on the login page ('expired' after a 401). */
  endReason: 'expired' | 'logout' | undefined;
  private renewTimer: ReturnType<typeof setInterval> | undefined;
  private listeners = new Set<Listener>();

  constructor() {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (raw) {
      try {
        const s = JSON.parse(raw) as Stored;
        this.username = s.username;
        setCsrfToken(s.csrf);
      } catch {
        sessionStorage.removeItem(STORAGE_KEY);
      }
    }
    onUnauthenticated(() => {
      if (this.username) this.end('expired');
    });
  }

  get loggedIn(): boolean {
    return this.username !== undefined;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(): void {
    for (const fn of this.listeners) fn();
  }

  can(aclPath: string, privilege: Privilege): boolean {
    return can(this.permissions, aclPath, privilege);
  }

  canAnywhereUnder(aclPath: string, privilege: Privilege): boolean {
    return canAnywhereUnder(this.permissions, aclPath, privilege);
  }

  /** First step: user name and password. Either logged in, or a TFA challenge to answer. */
  async login(username: string, password: string): Promise<LoginResult> {
    const answer = await request<TicketAnswer>('POST', '/access/ticket', { username, password }, { quietUnauthenticated: true });
    if (answer.NeedTFA && answer.ticket) {
      return { kind: 'tfa', username: answer.username ?? username, challenge: answer.ticket, tfa: answer.tfa ?? challengeFactors(answer.ticket) };
    }
    await this.start(answer);
    return { kind: 'ok' };
  }

  /** Second step: the TFA answer against the challenge ticket from the first step. */
  async answerTfa(username: string, challenge: string, answer: TfaAnswer): Promise<void> {
    const res = await request<TicketAnswer>('POST', '/access/ticket', { username, password: tfaPassword(answer), 'tfa-challenge': challenge }, { quietUnauthenticated: true });
    await this.start(res);
  }

  private async start(answer: TicketAnswer): Promise<void> {
    if (!answer.CSRFPreventionToken) throw new ApiRequestError(0, 'bad_response', 'the server did not hand out a session');
    this.username = answer.username;
    this.endReason = undefined;
    setCsrfToken(answer.CSRFPreventionToken);
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ username: answer.username, csrf: answer.CSRFPreventionToken } satisfies Stored));
    await this.loadPermissions();
    this.scheduleRenewal();
    this.emit();
  }

  /** On page load with a stored session: check it still works and load the permissions. */
  async resume(): Promise<boolean> {
    if (!this.username) return false;
    try {
      await this.loadPermissions();
      this.scheduleRenewal();
      return true;
    } catch {
      this.end('expired');
      return false;
    }
  }

  async loadPermissions(): Promise<void> {
    this.permissions = await api.get<PermissionMap>('/access/permissions');
    this.emit();
  }

  /** Presents the current ticket (the cookie) for a fresh one, as Proxmox renews. */
  async renew(): Promise<void> {
    if (!this.username) return;
    const answer = await request<TicketAnswer>('POST', '/access/ticket', { username: this.username, renew: true });
    if (answer.CSRFPreventionToken) {
      setCsrfToken(answer.CSRFPreventionToken);
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ username: this.username, csrf: answer.CSRFPreventionToken } satisfies Stored));
    }
  }

  private scheduleRenewal(): void {
    clearInterval(this.renewTimer);
    // A failed renewal is not fatal: the ticket is still valid for a while, and a 401 on
    // any request ends the session cleanly with the "expired" message.
    this.renewTimer = setInterval(() => void this.renew().catch(() => undefined), RENEW_INTERVAL_MS);
  }

  async logout(): Promise<void> {
    try {
      await request('DELETE', '/access/ticket', undefined, { quietUnauthenticated: true });
    } catch {
      // Already gone on the server; forget it here all the same.
    }
    this.end('logout');
  }

  end(reason: 'expired' | 'logout'): void {
    clearInterval(this.renewTimer);
    this.username = undefined;
    this.permissions = {};
    this.endReason = reason;
    setCsrfToken(undefined);
    sessionStorage.removeItem(STORAGE_KEY);
    this.emit();
  }
}

export const session = new Session();
