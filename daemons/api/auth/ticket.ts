// Proxmox-style tickets: `STEWARD:<data>:<hex time>::<signature>`. A full ticket's data is
// `<userid>!<session id>` (a user id cannot contain `!`); a TFA challenge ticket's data is
// `!tfa!<url-encoded JSON challenge>`, signed with the user id as associated data so it only
// answers for that user (as PBS binds it). The CSRFPreventionToken is `<hex time>:<signature>`
// over the session, so it only goes with tickets of the same login.
import type { TicketKeys } from './ticket-keys.ts';

export const TICKET_PREFIX = 'STEWARD';
/** Proxmox's ticket lifetime: 2 hours. */
export const TICKET_LIFETIME_S = 2 * 3600;
/** How long the second login step may take (ours; PBS's WebAuthn challenges last 2 minutes). */
export const TFA_TICKET_LIFETIME_S = 300;
/** Tolerated clock skew for tickets from the future (Proxmox allows 5 minutes). */
const SKEW_S = 300;

export interface FullTicket { userid: string; sid: string; time: number }

const hex = (n: number) => Math.floor(n).toString(16).toUpperCase().padStart(8, '0');

function splitTicket(ticket: string): { unsigned: string; data: string; time: number; sig: string } | null {
  if (ticket.length > 8192) return null;
  const sep = ticket.indexOf('::');
  if (sep < 0) return null;
  const unsigned = ticket.slice(0, sep);
  const sig = ticket.slice(sep + 2);
  const first = unsigned.indexOf(':');
  const last = unsigned.lastIndexOf(':');
  if (first < 0 || last <= first || unsigned.slice(0, first) !== TICKET_PREFIX) return null;
  const timeHex = unsigned.slice(last + 1);
  if (!/^[0-9A-F]{8,12}$/.test(timeHex)) return null;
  return { unsigned, data: unsigned.slice(first + 1, last), time: Number.parseInt(timeHex, 16), sig };
}

function fresh(time: number, nowS: number, lifetime: number): boolean {
  return time <= nowS + SKEW_S && nowS - time < lifetime;
}

export class TicketCodec {
  constructor(private readonly keys: TicketKeys) {}

  full(userid: string, sid: string, nowS: number): string {
    const unsigned = `${TICKET_PREFIX}:${userid}!${sid}:${hex(nowS)}`;
    return `${unsigned}::${this.keys.sign(unsigned)}`;
  }

  /** A valid, unexpired full ticket, or null (forged, altered, expired, or a TFA ticket). */
  parseFull(ticket: string, nowS: number): FullTicket | null {
    const t = splitTicket(ticket);
    if (!t || t.data.startsWith('!')) return null;
    const bang = t.data.indexOf('!');
    if (bang < 0) return null;
    if (!this.keys.verify(t.unsigned, t.sig) || !fresh(t.time, nowS, TICKET_LIFETIME_S)) return null;
    return { userid: t.data.slice(0, bang), sid: t.data.slice(bang + 1), time: t.time };
  }

  challenge(userid: string, challenge: object, nowS: number): string {
    const unsigned = `${TICKET_PREFIX}:!tfa!${encodeURIComponent(JSON.stringify(challenge))}:${hex(nowS)}`;
    return `${unsigned}::${this.keys.sign(`${unsigned}\n${userid}`)}`;
  }

  /** The challenge of a valid, unexpired TFA ticket issued to `userid`, or null. */
  parseChallenge(ticket: string, userid: string, nowS: number): { challenge: Record<string, unknown>; time: number } | null {
    const t = splitTicket(ticket);
    if (!t || !t.data.startsWith('!tfa!')) return null;
    if (!this.keys.verify(`${t.unsigned}\n${userid}`, t.sig) || !fresh(t.time, nowS, TFA_TICKET_LIFETIME_S)) return null;
    try {
      const challenge = JSON.parse(decodeURIComponent(t.data.slice(5))) as unknown;
      return challenge && typeof challenge === 'object' ? { challenge: challenge as Record<string, unknown>, time: t.time } : null;
    } catch {
      return null;
    }
  }

  csrf(userid: string, sid: string, nowS: number): string {
    const time = hex(nowS);
    return `${time}:${this.keys.sign(`csrf:${time}:${userid}!${sid}`)}`;
  }

  checkCsrf(token: string, userid: string, sid: string, nowS: number): boolean {
    const m = /^([0-9A-F]{8,12}):([A-Za-z0-9_-]{20,100})$/.exec(token);
    if (!m) return false;
    return this.keys.verify(`csrf:${m[1]}:${userid}!${sid}`, m[2]!) && fresh(Number.parseInt(m[1]!, 16), nowS, TICKET_LIFETIME_S);
  }
}
