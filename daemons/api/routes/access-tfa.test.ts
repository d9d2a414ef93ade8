import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { accessTest, login, PASSWORD, send } from '../../../tests/fixtures/access-deps.ts';
import type { AccessTest } from '../../../tests/fixtures/access-deps.ts';
import { SoftAuthenticator } from '../../../tests/fixtures/soft-authenticator.ts';
import { TFA_FAILURE_LIMIT, TOTP_FAILURE_LIMIT } from '../auth/tfa.ts';

const ORIGIN = 'https://steward.example.com';
const SECRET = new OTPAuth.Secret({ size: 20 });

function totpFor(userid: string) {
  return new OTPAuth.TOTP({ issuer: 'Steward', label: userid, secret: SECRET, algorithm: 'SHA1', digits: 6, period: 30 });
}

async function firstStep(t: AccessTest, username: string, password = PASSWORD) {
  const r = await send(t.app, 'POST', '/access/ticket', { username, password });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.data.NeedTFA, 1);
  assert.equal(r.body.data.CSRFPreventionToken, undefined, 'no session before the second factor');
  assert.equal(r.headers.get('set-cookie'), null);
  const ticket: string = r.body.data.ticket;
  const challenge = JSON.parse(decodeURIComponent(/!tfa!([^:]+)/.exec(ticket)![1]!)) as { totp?: boolean; recovery?: number[]; webauthn?: { publicKey: { challenge: string; rpId: string } } };
  return { ticket, challenge };
}

const answer = (t: AccessTest, username: string, ticket: string, password: string) => send(t.app, 'POST', '/access/ticket', { username, password, 'tfa-challenge': ticket });

describe('TOTP', () => {
  let t: AccessTest;
  let s: { cookie: string; csrf: string };
  before(async () => {
    t = await accessTest({ LOGIN_BLOCK_FAILURES: '0', RATE_LIMIT_LOGIN: '0' });
    await t.user('admin@steward', PASSWORD, 'Admin');
    await t.user('tom@steward', PASSWORD);
    s = await login(t.app, 'tom@steward', PASSWORD);
  });
  after(() => t.close());

  test('enrolment needs the own password and a correct first code', async () => {
    const totp = totpFor('tom@steward');
    const body = { type: 'totp', totp: totp.toString(), value: totp.generate({ timestamp: t.clock.now }), description: 'phone' };
    assert.equal((await send(t.app, 'POST', '/access/tfa/tom@steward', { ...body, password: 'wrong' }, s)).body.code, 'auth_failed');
    assert.equal((await send(t.app, 'POST', '/access/tfa/tom@steward', { ...body, value: '000000', password: PASSWORD }, s)).body.code, 'validation');
    assert.equal((await send(t.app, 'POST', '/access/tfa/tom@steward', { ...body, totp: 'otpauth://hotp/x?secret=AAAA', password: PASSWORD }, s)).body.code, 'validation');
    const ok = await send(t.app, 'POST', '/access/tfa/tom@steward', { ...body, password: PASSWORD }, s);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const list = (await send(t.app, 'GET', '/access/tfa/tom@steward', undefined, s)).body.data;
    assert.deepEqual(list.map((e: { type: string; description: string }) => [e.type, e.description]), [['totp', 'phone']]);
    assert.ok(!JSON.stringify(list).includes(SECRET.base32), 'the secret is not listed');
  });

  test('login is two-step; a code works once (replay refused), the next step’s code works', async () => {
    const totp = totpFor('tom@steward');
    t.clock.now += 30_000;
    const a = await firstStep(t, 'tom@steward');
    assert.equal(a.challenge.totp, true);
    const code = totp.generate({ timestamp: t.clock.now });
    const ok = await answer(t, 'tom@steward', a.ticket, `totp:${code}`);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.ok(ok.body.data.CSRFPreventionToken);
    assert.match(ok.headers.get('set-cookie') ?? '', /StewardAuthCookie=/);
    assert.equal((await answer(t, 'tom@steward', a.ticket, `totp:${code}`)).status, 401, 'a challenge ticket answers once');
    const b = await firstStep(t, 'tom@steward');
    const replay = await answer(t, 'tom@steward', b.ticket, `totp:${code}`);
    assert.equal(replay.status, 401);
    assert.equal(replay.body.code, 'auth_failed');
    assert.equal(t.ac.auditLog.list({ action: 'login.tfa', limit: 1 })[0]?.reason, 'totp: TOTP code already used (replay)');
    t.clock.now += 30_000;
    const c = await firstStep(t, 'tom@steward');
    assert.equal((await answer(t, 'tom@steward', c.ticket, `totp:${totp.generate({ timestamp: t.clock.now })}`)).status, 200);
  });

  test('a challenge ticket is bound to its user, expires after 5 minutes, and cannot be forged', async () => {
    await t.user('eve@steward', PASSWORD);
    const a = await firstStep(t, 'tom@steward');
    t.clock.now += 30_000;
    const code = totpFor('tom@steward').generate({ timestamp: t.clock.now });
    assert.equal((await answer(t, 'eve@steward', a.ticket, `totp:${code}`)).status, 401);
    const forged = a.ticket.replace(/!tfa![^:]+/, `!tfa!${encodeURIComponent(JSON.stringify({ totp: true, recovery: [0] }))}`);
    assert.equal((await answer(t, 'tom@steward', forged, `totp:${code}`)).status, 401);
    t.clock.now += 301_000;
    assert.equal((await answer(t, 'tom@steward', a.ticket, `totp:${totpFor('tom@steward').generate({ timestamp: t.clock.now })}`)).status, 401, 'expired');
    assert.equal((await send(t.app, 'GET', '/access/users/tom@steward', undefined, { cookie: a.ticket })).status, 401, 'a challenge ticket is no session');
  });

  test(`${TOTP_FAILURE_LIMIT} wrong codes lock TOTP; a recovery key logs in and unlocks it`, async () => {
    t.clock.now += 60_000;
    const s2 = await (async () => {
      const a = await firstStep(t, 'tom@steward');
      const r = await answer(t, 'tom@steward', a.ticket, `totp:${totpFor('tom@steward').generate({ timestamp: t.clock.now })}`);
      return { cookie: r.body.data.ticket, csrf: r.body.data.CSRFPreventionToken };
    })();
    const rec = await send(t.app, 'POST', '/access/tfa/tom@steward', { type: 'recovery', password: PASSWORD }, s2);
    const keys: string[] = rec.body.data.recovery;
    assert.equal(keys.length, 10);
    assert.equal((await send(t.app, 'POST', '/access/tfa/tom@steward', { type: 'recovery', password: PASSWORD }, s2)).body.code, 'conflict', 'one set at a time');
    assert.ok(!JSON.stringify(t.deps.store.collection('tfa').get('tom@steward')).includes(keys[0]!), 'stored hashed');
    for (let i = 0; i < TOTP_FAILURE_LIMIT; i++) {
      const a = await firstStep(t, 'tom@steward');
      assert.equal((await answer(t, 'tom@steward', a.ticket, 'totp:123456')).status, 401);
    }
    const locked = await firstStep(t, 'tom@steward');
    assert.equal(locked.challenge.totp, undefined, 'TOTP is no longer offered');
    assert.equal(locked.challenge.recovery?.length, 10);
    t.clock.now += 30_000;
    assert.equal((await answer(t, 'tom@steward', locked.ticket, `totp:${totpFor('tom@steward').generate({ timestamp: t.clock.now })}`)).status, 401, 'even the right code');
    assert.ok(t.ac.auditLog.list({ action: 'tfa.lockout', limit: 1 })[0]?.reason?.includes('TOTP locked'));
    const list = (await send(t.app, 'GET', '/access/tfa', undefined, await login(t.app, 'admin@steward', PASSWORD))).body.data;
    assert.equal(list.find((u: { userid: string }) => u.userid === 'tom@steward')['totp-locked'], true);
    const viaRecovery = await answer(t, 'tom@steward', (await firstStep(t, 'tom@steward')).ticket, `recovery:${keys[3]}`);
    assert.equal(viaRecovery.status, 200);
    const again = await firstStep(t, 'tom@steward');
    assert.equal(again.challenge.totp, true, 'unlocked by the recovery key');
    assert.deepEqual(again.challenge.recovery, [0, 1, 2, 4, 5, 6, 7, 8, 9]);
    assert.equal((await answer(t, 'tom@steward', again.ticket, `recovery:${keys[3]}`)).status, 401, 'a recovery key works once');
  });

  test(`${TFA_FAILURE_LIMIT} failures block every factor for an hour; an admin can unlock`, async () => {
    await t.ac.tfa.unlock('tom@steward'); // start counting from zero
    for (let i = 0; i < TFA_FAILURE_LIMIT; i++) {
      const a = await firstStep(t, 'tom@steward');
      await answer(t, 'tom@steward', a.ticket, 'recovery:0000-0000-0000-0000');
    }
    const blocked = await send(t.app, 'POST', '/access/ticket', { username: 'tom@steward', password: PASSWORD });
    assert.equal(blocked.status, 403);
    assert.equal(blocked.body.code, 'tfa_locked');
    const wrongPw = await send(t.app, 'POST', '/access/ticket', { username: 'tom@steward', password: 'not the password' });
    assert.equal(wrongPw.body.code, 'auth_failed', 'the lock is only revealed after the right password');
    t.clock.now += 3600_000 + 1000;
    await firstStep(t, 'tom@steward');
    for (let i = 0; i < TFA_FAILURE_LIMIT; i++) await answer(t, 'tom@steward', (await firstStep(t, 'tom@steward')).ticket, 'recovery:x');
    assert.equal((await send(t.app, 'POST', '/access/ticket', { username: 'tom@steward', password: PASSWORD })).body.code, 'tfa_locked');
    const admin = await login(t.app, 'admin@steward', PASSWORD);
    assert.equal((await send(t.app, 'PUT', '/access/users/tom@steward/unlock-tfa', {}, admin)).body.data, true);
    await firstStep(t, 'tom@steward');
    assert.ok(t.ac.auditLog.list({ action: 'tfa.unlock', limit: 1 })[0]?.user === 'admin@steward');
  });
});

describe('WebAuthn with a software authenticator', () => {
  let t: AccessTest;
  const key = new SoftAuthenticator();
  before(async () => {
    t = await accessTest({ LOGIN_BLOCK_FAILURES: '0' });
    await t.user('wendy@steward', PASSWORD);
  });
  after(() => t.close());

  async function register(s: { cookie: string; csrf: string }, authenticator: SoftAuthenticator, origin = ORIGIN) {
    const first = await send(t.app, 'POST', '/access/tfa/wendy@steward', { type: 'webauthn', description: 'yubikey', password: PASSWORD }, s);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const options = JSON.parse(first.body.data.challenge);
    assert.equal(options.rp.id, 'steward.example.com');
    return send(t.app, 'POST', '/access/tfa/wendy@steward', { type: 'webauthn', challenge: first.body.data.challenge, value: authenticator.register(options, origin), password: PASSWORD }, s);
  }

  test('registration refuses an attestation made for another origin, accepts the right one', async () => {
    const s = await login(t.app, 'wendy@steward', PASSWORD);
    const evil = await register(s, new SoftAuthenticator(), 'https://evil.example.com');
    assert.equal(evil.body.code, 'validation');
    assert.match(evil.body.message ?? '', /origin/i);
    const ok = await register(s, key);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const second = await register(s, new SoftAuthenticator());
    assert.equal(second.status, 200, 'several keys per user');
    const list = (await send(t.app, 'GET', '/access/tfa/wendy@steward', undefined, s)).body.data;
    assert.deepEqual(list.map((e: { type: string }) => e.type), ['webauthn', 'webauthn']);
  });

  test('login with the key; wrong origin, wrong RP id and a replayed assertion are refused', async () => {
    const a = await firstStep(t, 'wendy@steward');
    const opts = a.challenge.webauthn!.publicKey;
    assert.equal(opts.rpId, 'steward.example.com');
    assert.equal((await answer(t, 'wendy@steward', a.ticket, `webauthn:${key.assert(opts, 'https://evil.example.com', 'steward.example.com')}`)).status, 401);
    const b = await firstStep(t, 'wendy@steward');
    assert.equal((await answer(t, 'wendy@steward', b.ticket, `webauthn:${key.assert(b.challenge.webauthn!.publicKey, ORIGIN, 'evil.example.com')}`)).status, 401);
    const reasons = t.ac.auditLog.list({ action: 'login.tfa', limit: 2 }).map((e) => e.reason ?? '');
    assert.match(reasons[1]!, /origin/i);
    assert.match(reasons[0]!, /RP ID/i);
    const c = await firstStep(t, 'wendy@steward');
    const assertion = key.assert(c.challenge.webauthn!.publicKey, ORIGIN);
    const ok = await answer(t, 'wendy@steward', c.ticket, `webauthn:${assertion}`);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const d = await firstStep(t, 'wendy@steward');
    assert.equal((await answer(t, 'wendy@steward', d.ticket, `webauthn:${assertion}`)).status, 401, 'an old assertion does not answer a new challenge');
  });
});

describe('TFA required', () => {
  let t: AccessTest;
  before(async () => {
    t = await accessTest();
    await t.user('admin@steward', PASSWORD, 'Admin');
    await t.user('newbie@steward', PASSWORD, 'Audit');
  });
  after(() => t.close());

  test('without a second factor, the session may only enrol one; afterwards login needs it', async () => {
    const admin = await login(t.app, 'admin@steward', PASSWORD);
    assert.equal((await send(t.app, 'PUT', '/access/settings', { 'tfa-required': true }, admin)).status, 200);
    const s = await login(t.app, 'newbie@steward', PASSWORD);
    assert.equal((await send(t.app, 'GET', '/access/users', undefined, s)).status, 403, 'Audit on / does not apply yet');
    assert.deepEqual((await send(t.app, 'GET', '/access/permissions', undefined, s)).body.data, {});
    const totp = totpFor('newbie@steward');
    const add = await send(t.app, 'POST', '/access/tfa/newbie@steward', { type: 'totp', totp: totp.toString(), value: totp.generate({ timestamp: t.clock.now }), password: PASSWORD }, s);
    assert.equal(add.status, 200, JSON.stringify(add.body));
    t.clock.now += 30_000;
    const a = await firstStep(t, 'newbie@steward');
    const full = await answer(t, 'newbie@steward', a.ticket, `totp:${totp.generate({ timestamp: t.clock.now })}`);
    assert.equal((await send(t.app, 'GET', '/access/users', undefined, { cookie: full.body.data.ticket })).status, 200);
  });
});
