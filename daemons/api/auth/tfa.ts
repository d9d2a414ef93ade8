// Second factors, as Proxmox Backup Server has them: TOTP (otpauth), WebAuthn
// (@simplewebauthn/server) and one set of one-time recovery keys, with PBS's lockouts:
// 8 wrong TOTP codes lock TOTP until a recovery key is used or an admin unlocks it; 100
// failed second-factor attempts of any kind block all of them for an hour (PBS/PVE docs,
// "Limits and Lockout of Two-Factor Authentication"). A TOTP code works once: the time
// step of the last accepted code is kept and older or equal steps are refused.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import { generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { ApiError } from '../../../shared/errors.ts';
import type { Collection, Store } from '../store/store.ts';

export const TOTP_FAILURE_LIMIT = 8;
export const TFA_FAILURE_LIMIT = 100;
export const TFA_LOCK_MS = 3600_000;
/** proxmox-tfa's CHALLENGE_TIMEOUT_SECS: WebAuthn registration challenges live 2 minutes. */
export const REGISTRATION_TIMEOUT_MS = 120_000;
export const RECOVERY_KEY_COUNT = 10;

export interface RelyingParty { id: string; origin: string }

interface Info { id: string; description: string; created: number; enable: boolean }
interface TotpEntry extends Info { uri: string }
interface WebauthnEntry extends Info {
  credentialId: string;
  publicKey: string;
  counter: number;
  transports?: string[];
  deviceType?: string;
  backedUp?: boolean;
}

export interface TfaData {
  totp: TotpEntry[];
  webauthn: WebauthnEntry[];
  recovery?: { created: number; salt: string; keys: (string | null)[] };
  totpLastStep?: number;
  totpFailures: number;
  totpLocked: boolean;
  tfaFailures: number;
  tfaLockedUntil?: number;
  registrations: { challenge: string; description: string; created: number }[];
}

export interface TfaEntryWire { type: 'totp' | 'webauthn' | 'recovery'; id: string; description: string; created: number; enable: boolean }

export type VerifyResult = { ok: true; method: string; reason?: undefined; locked?: undefined } | { ok: false; method: string; reason: string; locked?: 'totp' | 'tfa' };

const empty = (): TfaData => ({ totp: [], webauthn: [], totpFailures: 0, totpLocked: false, tfaFailures: 0, registrations: [] });

const hashKey = (salt: string, key: string) => createHash('sha256').update(`${salt}:${key.trim().toLowerCase()}`).digest('hex');

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

export class TfaService {
  private readonly col: Collection<TfaData>;

  constructor(store: Store, private readonly now: () => number) {
    this.col = store.collection<TfaData>('tfa');
  }

  get(userid: string): TfaData {
    return { ...empty(), ...(this.col.get(userid)?.value ?? {}) };
  }

  private async save(userid: string, data: TfaData): Promise<void> {
    await this.col.put(userid, data);
  }

  list(userid: string): TfaEntryWire[] {
    const d = this.get(userid);
    const info = (type: TfaEntryWire['type'], e: Info): TfaEntryWire => ({ type, id: e.id, description: e.description, created: e.created, enable: e.enable });
    const out = [...d.totp.map((e) => info('totp', e)), ...d.webauthn.map((e) => info('webauthn', e))];
    if (d.recovery) {
      const left = d.recovery.keys.filter(Boolean).length;
      out.push({ type: 'recovery', id: 'recovery', description: `${left} of ${d.recovery.keys.length} recovery keys left`, created: d.recovery.created, enable: true });
    }
    return out;
  }

  users(): string[] {
    return this.col.list().map((e) => e.key);
  }

  lockState(userid: string): { 'totp-locked': boolean; 'tfa-locked-until'?: number } {
    const d = this.get(userid);
    const until = d.tfaLockedUntil && d.tfaLockedUntil > this.now() ? Math.floor(d.tfaLockedUntil / 1000) : undefined;
    return { 'totp-locked': d.totpLocked, ...(until ? { 'tfa-locked-until': until } : {}) };
  }

  // ---- enrolment ----------------------------------------------------------------------

  async addTotp(userid: string, description: string, uri: string, code: string): Promise<string> {
    let totp: OTPAuth.TOTP;
    try {
      const parsed = OTPAuth.URI.parse(uri);
      if (!(parsed instanceof OTPAuth.TOTP)) throw new Error('not TOTP');
      totp = parsed;
    } catch {
      throw new ApiError('validation', 'totp must be an otpauth://totp/ URI with a base32 secret', { errors: { totp: 'not a TOTP URI' } });
    }
    if (totp.secret.bytes.length < 10 || totp.digits < 6 || totp.digits > 8 || totp.period < 15 || totp.period > 120) {
      throw new ApiError('validation', 'the TOTP secret must have at least 80 bits, 6–8 digits and a 15–120 s period', { errors: { totp: 'weak or unusual parameters' } });
    }
    const delta = totp.validate({ token: code, timestamp: this.now(), window: 1 });
    if (delta === null) throw new ApiError('validation', 'the code does not match: check the authenticator app’s clock and try the current code', { errors: { value: 'wrong code' } });
    const d = this.get(userid);
    const id = randomUUID();
    d.totp.push({ id, description, created: Math.floor(this.now() / 1000), enable: true, uri: totp.toString() });
    // The enrolment code is spent: it cannot be replayed at the next login.
    d.totpLastStep = Math.max(d.totpLastStep ?? 0, Math.floor(this.now() / 1000 / totp.period) + delta);
    await this.save(userid, d);
    return id;
  }

  /** First WebAuthn registration step: the creation options (as JSON text) for navigator.credentials.create. */
  async startWebauthn(userid: string, description: string, rp: RelyingParty): Promise<string> {
    const d = this.get(userid);
    const options = await generateRegistrationOptions({
      rpName: 'Steward',
      rpID: rp.id,
      userName: userid,
      userID: new TextEncoder().encode(userid),
      attestationType: 'none',
      excludeCredentials: d.webauthn.map((w) => ({ id: w.credentialId, ...(w.transports ? { transports: w.transports } : {}) })),
      authenticatorSelection: { residentKey: 'discouraged', userVerification: 'discouraged' },
    });
    const nowMs = this.now();
    d.registrations = [...d.registrations.filter((r) => nowMs - r.created < REGISTRATION_TIMEOUT_MS), { challenge: options.challenge, description, created: nowMs }].slice(-8);
    await this.save(userid, d);
    return JSON.stringify(options);
  }

  /** Second step: checks the attestation against the pending challenge, origin and RP id. */
  async finishWebauthn(userid: string, challengeText: string, attestation: string, rp: RelyingParty): Promise<string> {
    let challenge: string;
    let response: RegistrationResponseJSON;
    try {
      const opts = JSON.parse(challengeText) as { challenge?: unknown };
      challenge = typeof opts.challenge === 'string' ? opts.challenge : challengeText;
    } catch {
      challenge = challengeText;
    }
    try {
      response = JSON.parse(attestation) as RegistrationResponseJSON;
    } catch {
      throw new ApiError('validation', 'value must be the attestation as JSON', { errors: { value: 'not JSON' } });
    }
    const d = this.get(userid);
    const nowMs = this.now();
    const pending = d.registrations.find((r) => r.challenge === challenge && nowMs - r.created < REGISTRATION_TIMEOUT_MS);
    if (!pending) throw new ApiError('validation', 'no such registration challenge (expired after 2 minutes, or already used)', { errors: { challenge: 'unknown or expired' } });
    d.registrations = d.registrations.filter((r) => r !== pending);
    await this.save(userid, d);
    let info;
    try {
      const v = await verifyRegistrationResponse({ response, expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.id, requireUserVerification: false });
      if (!v.verified) throw new Error('not verified');
      info = v.registrationInfo;
    } catch (err) {
      throw new ApiError('validation', `the security key’s answer was refused: ${(err as Error).message}`.slice(0, 300), { errors: { value: 'attestation refused' } });
    }
    const after = this.get(userid);
    if (after.webauthn.some((w) => w.credentialId === info.credential.id)) throw new ApiError('conflict', 'this security key is already registered');
    const id = randomUUID();
    after.webauthn.push({
      id, description: pending.description, created: Math.floor(nowMs / 1000), enable: true,
      credentialId: info.credential.id, publicKey: Buffer.from(info.credential.publicKey).toString('base64url'), counter: info.credential.counter,
      ...(info.credential.transports ? { transports: info.credential.transports } : {}),
      deviceType: info.credentialDeviceType, backedUp: info.credentialBackedUp,
    });
    await this.save(userid, after);
    return id;
  }

  /** One set of recovery keys, shown once; only their salted hashes are kept. */
  async addRecovery(userid: string): Promise<string[]> {
    const d = this.get(userid);
    if (d.recovery && d.recovery.keys.some(Boolean)) throw new ApiError('conflict', 'this user already has recovery keys; delete them first to get a new set');
    const keys = Array.from({ length: RECOVERY_KEY_COUNT }, () => randomBytes(8).toString('hex').match(/.{4}/g)!.join('-'));
    const salt = randomBytes(16).toString('hex');
    d.recovery = { created: Math.floor(this.now() / 1000), salt, keys: keys.map((k) => hashKey(salt, k)) };
    await this.save(userid, d);
    return keys;
  }

  async remove(userid: string, id: string): Promise<boolean> {
    const d = this.get(userid);
    if (id === 'recovery') {
      if (!d.recovery) return false;
      delete d.recovery;
    } else {
      const n = d.totp.length + d.webauthn.length;
      d.totp = d.totp.filter((e) => e.id !== id);
      d.webauthn = d.webauthn.filter((e) => e.id !== id);
      if (d.totp.length + d.webauthn.length === n) return false;
    }
    await this.save(userid, d);
    return true;
  }

  async removeUser(userid: string): Promise<void> {
    if (this.col.get(userid)) await this.col.delete(userid);
  }

  /** Clears the TOTP lock and the TFA block; true when something was locked. */
  async unlock(userid: string): Promise<boolean> {
    const d = this.get(userid);
    const was = d.totpLocked || (d.tfaLockedUntil ?? 0) > this.now();
    d.totpLocked = false;
    d.totpFailures = 0;
    d.tfaFailures = 0;
    delete d.tfaLockedUntil;
    if (this.col.get(userid)) await this.save(userid, d);
    return was;
  }

  // ---- login ----------------------------------------------------------------------------

  /** The challenge for a user with enabled second factors, or null. Throws tfa_locked while blocked. */
  async challenge(userid: string, rp: RelyingParty): Promise<Record<string, unknown> | null> {
    const d = this.get(userid);
    const totp = d.totp.some((e) => e.enable);
    const webauthn = d.webauthn.filter((e) => e.enable);
    if (!totp && webauthn.length === 0 && !d.recovery) return null;
    if ((d.tfaLockedUntil ?? 0) > this.now()) throw new ApiError('tfa_locked', 'second factors are blocked for this user after too many failures; try again later or ask an admin');
    // The nonce makes every challenge ticket distinct, so each can be answered once.
    const out: Record<string, unknown> = { nonce: randomBytes(9).toString('base64url') };
    if (totp && !d.totpLocked) out.totp = true;
    if (d.recovery) out.recovery = d.recovery.keys.flatMap((k, i) => (k ? [i] : []));
    if (webauthn.length) {
      out.webauthn = { publicKey: await generateAuthenticationOptions({ rpID: rp.id, allowCredentials: webauthn.map((w) => ({ id: w.credentialId, ...(w.transports ? { transports: w.transports } : {}) })), userVerification: 'discouraged' }) };
    }
    if (d.totpLocked && !out.recovery && !out.webauthn) throw new ApiError('tfa_locked', 'TOTP is locked for this user after too many wrong codes; ask an admin to unlock it');
    return out;
  }

  /** Checks a `totp:`/`recovery:`/`webauthn:` answer against the challenge; keeps the lockout counters. */
  async verify(userid: string, challenge: Record<string, unknown>, answer: string, rp: RelyingParty): Promise<VerifyResult> {
    const d = this.get(userid);
    const method = /^(totp|recovery|webauthn):/.exec(answer)?.[1] ?? 'unknown';
    if ((d.tfaLockedUntil ?? 0) > this.now()) return { ok: false, method, reason: 'second factors blocked', locked: 'tfa' };
    const value = answer.slice(method.length + 1);
    let reason: string | null;
    if (method === 'totp') reason = this.checkTotp(d, challenge, value);
    else if (method === 'recovery') reason = this.checkRecovery(d, value);
    else if (method === 'webauthn') reason = await this.checkWebauthn(d, challenge, value, rp);
    else reason = 'unknown answer type (expected totp:, recovery: or webauthn:)';

    let locked: 'totp' | 'tfa' | undefined;
    if (reason === null) {
      d.tfaFailures = 0;
    } else {
      if (method === 'totp' && !d.totpLocked && ++d.totpFailures >= TOTP_FAILURE_LIMIT) {
        d.totpLocked = true;
        locked = 'totp';
      }
      if (++d.tfaFailures >= TFA_FAILURE_LIMIT) {
        d.tfaLockedUntil = this.now() + TFA_LOCK_MS;
        d.tfaFailures = 0;
        locked = 'tfa';
      }
    }
    await this.save(userid, d);
    return reason === null ? { ok: true, method } : { ok: false, method, reason, ...(locked ? { locked } : {}) };
  }

  private checkTotp(d: TfaData, challenge: Record<string, unknown>, code: string): string | null {
    if (!challenge.totp) return 'TOTP not offered in this challenge';
    if (d.totpLocked) return 'TOTP locked';
    if (!/^\d{6,8}$/.test(code)) return 'malformed TOTP code';
    for (const e of d.totp.filter((x) => x.enable)) {
      const totp = OTPAuth.URI.parse(e.uri) as OTPAuth.TOTP;
      const delta = totp.validate({ token: code, timestamp: this.now(), window: 1 });
      if (delta === null) continue;
      const step = Math.floor(this.now() / 1000 / totp.period) + delta;
      if (step <= (d.totpLastStep ?? -1)) return 'TOTP code already used (replay)';
      d.totpLastStep = step;
      d.totpFailures = 0;
      return null;
    }
    return 'wrong TOTP code';
  }

  private checkRecovery(d: TfaData, key: string): string | null {
    if (!d.recovery) return 'no recovery keys';
    const h = hashKey(d.recovery.salt, key);
    const i = d.recovery.keys.findIndex((k) => k !== null && sameHex(k, h));
    if (i < 0) return 'wrong or used recovery key';
    d.recovery.keys[i] = null;
    // A recovery key proves the user: it lifts the TOTP lock, as in PBS.
    d.totpLocked = false;
    d.totpFailures = 0;
    return null;
  }

  private async checkWebauthn(d: TfaData, challenge: Record<string, unknown>, json: string, rp: RelyingParty): Promise<string | null> {
    const expected = (challenge.webauthn as { publicKey?: { challenge?: string } } | undefined)?.publicKey?.challenge;
    if (!expected) return 'WebAuthn not offered in this challenge';
    let response: AuthenticationResponseJSON;
    try {
      response = JSON.parse(json) as AuthenticationResponseJSON;
    } catch {
      return 'malformed WebAuthn answer';
    }
    const cred = d.webauthn.find((w) => w.enable && w.credentialId === response?.id);
    if (!cred) return 'unknown security key';
    try {
      const v = await verifyAuthenticationResponse({
        response, expectedChallenge: expected, expectedOrigin: rp.origin, expectedRPID: rp.id, requireUserVerification: false,
        credential: { id: cred.credentialId, publicKey: Buffer.from(cred.publicKey, 'base64url'), counter: cred.counter, ...(cred.transports ? { transports: cred.transports as never } : {}) },
      });
      if (!v.verified) return 'WebAuthn signature not verified';
      cred.counter = v.authenticationInfo.newCounter;
      cred.backedUp = v.authenticationInfo.credentialBackedUp;
      return null;
    } catch (err) {
      return `WebAuthn refused: ${(err as Error).message}`.slice(0, 200);
    }
  }
}
