// Access control calls (users, tokens, TFA, ACL, audit), in one place so the pages stay
// about presentation. Paths follow Proxmox Datacenter Manager's.
import { api, path } from './client.ts';

export interface User {
  userid: string;
  enable?: boolean | number;
  expire?: number;
  firstname?: string;
  lastname?: string;
  email?: string;
  comment?: string;
  groups?: string[];
  'tfa-required'?: boolean;
  digest?: string;
}

export interface Token {
  tokenid: string;
  comment?: string;
  enable?: boolean | number;
  expire?: number;
  role?: string;
  privsep?: boolean;
  'last-used'?: number;
  digest?: string;
}

export const TFA_TYPE_LABEL: Record<string, string> = { totp: 'Authenticator app', webauthn: 'Security key', recovery: 'Recovery keys' };

/** A user's second factors with their lock state (GET /access/tfa). */
export interface TfaUser {
  userid: string;
  entries: TfaEntry[];
  'totp-locked': boolean;
  /** Epoch seconds until which every second factor is blocked. */
  'tfa-locked-until'?: number;
}

export interface TfaEntry {
  type: 'totp' | 'webauthn' | 'recovery' | string;
  id: string;
  description?: string;
  created?: number;
  enable?: boolean | number;
}

export const users = {
  list: () => api.get<User[]>('/access/users'),
  create: (body: object) => api.post<null>('/access/users', body),
  update: (userid: string, body: object) => api.put<null>(path`/access/users/${userid}`, body),
  remove: (userid: string, digest?: string) => api.delete<null>(path`/access/users/${userid}`, { digest }),
  /** An admin sets another user's password, confirming with their own. */
  setPassword: (userid: string, password: string, confirmation: string) =>
    api.put<null>('/access/password', { userid, password, 'confirmation-password': confirmation }),
};

export const tokens = {
  list: (userid: string) => api.get<Token[]>(path`/access/users/${userid}/token`),
  /** The secret (`value`) is in this answer only; it cannot be read again. */
  create: (userid: string, name: string, body: object) => api.post<{ tokenid: string; value: string }>(path`/access/users/${userid}/token/${name}`, body),
  update: (userid: string, name: string, body: object) => api.put<null>(path`/access/users/${userid}/token/${name}`, body),
  remove: (userid: string, name: string) => api.delete<null>(path`/access/users/${userid}/token/${name}`),
};

export const tfa = {
  list: (userid: string) => api.get<TfaEntry[]>(path`/access/tfa/${userid}`),
  add: (userid: string, body: object) => api.post<{ id?: string; challenge?: string; recovery?: string[] }>(path`/access/tfa/${userid}`, body),
  remove: (userid: string, id: string, password?: string) => api.delete<null>(path`/access/tfa/${userid}/${id}`, { password }),
  /** Every user's factors and lock state (Audit on /access). */
  users: () => api.get<TfaUser[]>('/access/tfa'),
  /** Lifts a user's TOTP lock and TFA block; true when something was locked. */
  unlock: (userid: string) => api.put<boolean>(path`/access/users/${userid}/unlock-tfa`),
};

export function changePassword(userid: string, password: string, oldPassword: string): Promise<null> {
  return api.put<null>('/access/password', { userid, password, 'old-password': oldPassword });
}

/** A random TOTP secret in base32 (RFC 4648, no padding): 160 bits, as RFC 4226 recommends. */
export function newTotpSecret(bytes = 20): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of raw) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

export function totpUri(userid: string, secret: string, issuer = 'Steward'): string {
  const label = encodeURIComponent(`${issuer}:${userid}`);
  return `otpauth://totp/${label}?secret=${secret}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=6&period=30`;
}
