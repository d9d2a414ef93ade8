import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { accessTest, login, PASSWORD, send } from '../../../tests/fixtures/access-deps.ts';
import type { AccessTest } from '../../../tests/fixtures/access-deps.ts';

// In-process requests come from 127.0.0.1; the trusted proxy setting lets tests speak for other clients.
const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

describe('IP allowlist, trusted proxies, rate limits and failed-login blocking', () => {
  let t: AccessTest;
  let admin: { cookie: string; csrf: string };
  before(async () => {
    t = await accessTest({ TRUSTED_PROXIES: '127.0.0.1', RATE_LIMIT_LOGIN: '5', LOGIN_BLOCK_FAILURES: '3', LOGIN_BLOCK_WINDOW: '600', LOGIN_BLOCK_DURATION: '900', RATE_LIMIT_API: '4' });
    await t.user('admin@steward', PASSWORD, 'Admin');
    admin = await login(t.app, 'admin@steward', PASSWORD);
  });
  after(() => t.close());

  test('the real client behind a trusted proxy is what the audit log records', async () => {
    await send(t.app, 'POST', '/access/ticket', { username: 'admin@steward', password: 'nope nope' }, from('198.51.100.20'));
    assert.equal(t.ac.auditLog.list({ limit: 1 })[0]?.ip, '198.51.100.20');
  });

  test('repeated failed logins block the address with 429 and Retry-After; others are unaffected', async () => {
    t.clock.now += 3600_000;
    for (let i = 0; i < 3; i++) assert.equal((await send(t.app, 'POST', '/access/ticket', { username: 'admin@steward', password: 'bad bad bad' }, from('203.0.113.9'))).status, 401);
    const blocked = await send(t.app, 'POST', '/access/ticket', { username: 'admin@steward', password: PASSWORD }, from('203.0.113.9'));
    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.code, 'rate_limited');
    assert.equal(blocked.headers.get('retry-after'), '900');
    assert.equal((await send(t.app, 'POST', '/access/ticket', { username: 'admin@steward', password: PASSWORD }, from('203.0.113.10'))).status, 200);
    t.clock.now += 900_000;
    assert.equal((await send(t.app, 'POST', '/access/ticket', { username: 'admin@steward', password: PASSWORD }, from('203.0.113.9'))).status, 200, 'the block ends');
  });

  test('login attempts per address are rate limited', async () => {
    t.clock.now += 3600_000;
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push((await send(t.app, 'POST', '/access/ticket', { username: 'admin@steward', password: PASSWORD }, from('192.0.2.50'))).status);
    assert.deepEqual(codes, [200, 200, 200, 200, 200, 429]);
  });

  test('API calls per user are rate limited, with Retry-After', async () => {
    t.clock.now += 3600_000;
    const s = await login(t.app, 'admin@steward', PASSWORD);
    const codes = [];
    let last;
    for (let i = 0; i < 5; i++) codes.push((last = await send(t.app, 'GET', '/access/users', undefined, s)).status);
    assert.deepEqual(codes, [200, 200, 200, 200, 429]);
    assert.equal(last!.headers.get('retry-after'), '15');
  });

  test('the allowlist keeps other addresses out, refuses to lock out its editor, and is audited', async () => {
    // A minute between admin calls keeps them under this suite's tiny per-user API limit.
    const tick = async () => void (t.clock.now += 60_000);
    t.clock.now += 3600_000;
    admin = await login(t.app, 'admin@steward', PASSWORD);
    await tick();
    const lockout = await send(t.app, 'PUT', '/access/settings', { allowlist: ['10.0.0.0/8'] }, admin);
    assert.equal(lockout.body.code, 'validation');
    assert.match(lockout.body.message ?? '', /lock out your own address 127\.0\.0\.1/);
    assert.equal((await tick(), await send(t.app, 'PUT', '/access/settings', { allowlist: ['10.0.0.0/33'] }, admin)).body.code, 'validation');
    assert.equal((await tick(), await send(t.app, 'PUT', '/access/settings', { allowlist: ['127.0.0.0/8', '2001:db8::/32'] }, admin)).status, 200);
    assert.deepEqual((await tick(), await send(t.app, 'GET', '/access/settings', undefined, admin)).body.data.allowlist, ['127.0.0.0/8', '2001:db8::/32']);
    const outside = await send(t.app, 'POST', '/access/ticket', { username: 'admin@steward', password: PASSWORD }, from('198.51.100.1'));
    assert.equal(outside.status, 403);
    assert.equal(outside.body.code, 'ip_blocked');
    assert.equal((await send(t.app, 'GET', '/version', undefined, from('2001:db8::42'))).status, 200);
    assert.equal((await send(t.app, 'GET', '/version', undefined, from('2001:db9::42'))).status, 403);
    assert.ok(t.ac.auditLog.list({ action: 'settings.update', limit: 1 })[0]?.result === 'ok');
    assert.equal((await tick(), await send(t.app, 'PUT', '/access/settings', { allowlist: [] }, admin)).status, 200);
    assert.equal((await send(t.app, 'GET', '/version', undefined, from('198.51.100.1'))).status, 200);
  });
});
