import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { accessTest, login, PASSWORD, send } from '../../../tests/fixtures/access-deps.ts';
import type { AccessTest } from '../../../tests/fixtures/access-deps.ts';
import { parseConfig } from '../../common/config.ts';

describe('login, tickets and CSRF', () => {
  let t: AccessTest;
  before(async () => {
    t = await accessTest();
    await t.user('admin@steward', PASSWORD, 'Admin');
  });
  after(() => t.close());

  test('a password login answers Proxmox’s shape and sets a strict HttpOnly cookie', async () => {
    const r = await send(t.app, 'POST', '/access/ticket', { username: 'admin@steward', password: PASSWORD });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.data.username, 'admin@steward');
    assert.match(r.body.data.ticket, /^STEWARD:admin@steward!s[\w-]+:[0-9A-F]{8}::[\w-]+$/);
    assert.match(r.body.data.CSRFPreventionToken, /^[0-9A-F]{8}:[\w-]+$/);
    const cookie = r.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^StewardAuthCookie=/);
    for (const attr of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/']) assert.ok(cookie.includes(attr), `cookie has ${attr}: ${cookie}`);
  });

  test('a form-encoded login works too (curl --data-urlencode)', async () => {
    const res = await t.app.request('/api2/json/access/ticket', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `username=admin%40steward&password=${encodeURIComponent(PASSWORD)}` });
    assert.equal(res.status, 200);
  });

  test('wrong password and unknown user fail alike, after the configured delay, and are audited', async () => {
    t.delays.length = 0;
    const a = await send(t.app, 'POST', '/access/ticket', { username: 'admin@steward', password: 'wrong password' });
    const b = await send(t.app, 'POST', '/access/ticket', { username: 'nobody@steward', password: PASSWORD });
    assert.equal(a.status, 401);
    assert.deepEqual(a.body, b.body);
    assert.equal(a.body.code, 'auth_failed');
    assert.deepEqual(t.delays, [3000, 3000]);
    const audit = t.ac.auditLog.list({ action: 'login', result: 'denied', limit: 2 });
    assert.deepEqual(audit.map((e) => e.reason), ['unknown user', 'wrong password']);
    assert.ok(audit.every((e) => !JSON.stringify(e).includes('wrong password"') || e.reason === 'wrong password'));
    assert.ok(!JSON.stringify(t.ac.auditLog.list({ limit: 100 })).includes(PASSWORD), 'no password in the audit log');
  });

  test('the failure delay is Proxmox’s ~3 s by default and configurable', () => {
    assert.equal(parseConfig('').LOGIN_FAILURE_DELAY_MS, 3000);
    assert.equal(parseConfig('LOGIN_FAILURE_DELAY_MS=5').LOGIN_FAILURE_DELAY_MS, 5);
  });

  test('the cookie authenticates GETs; state changes need the CSRF header', async () => {
    const { cookie, csrf } = await login(t.app, 'admin@steward', PASSWORD);
    assert.equal((await send(t.app, 'GET', '/access/users', undefined, { cookie })).status, 200);
    const body = { userid: 'x1@steward', password: PASSWORD };
    const noCsrf = await send(t.app, 'POST', '/access/users', body, { cookie });
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.body.code, 'csrf');
    const wrongCsrf = await send(t.app, 'POST', '/access/users', body, { cookie, csrf: csrf.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A')) });
    assert.equal(wrongCsrf.body.code, 'csrf');
    const other = await login(t.app, 'admin@steward', PASSWORD);
    assert.equal((await send(t.app, 'POST', '/access/users', body, { cookie, csrf: other.csrf })).body.code, 'csrf', 'a CSRF token of another session is refused');
    assert.equal((await send(t.app, 'POST', '/access/users', body, { cookie, csrf })).status, 201);
  });

  test('forged, altered and expired tickets are no credentials', async () => {
    const { cookie } = await login(t.app, 'admin@steward', PASSWORD);
    const altered = cookie.replace('admin@steward', 'root@steward');
    const forged = cookie.replace(/::.*$/, '::' + 'A'.repeat(43));
    for (const bad of [altered, forged, 'STEWARD:admin@steward!s1:00000000::x', 'garbage']) {
      const r = await send(t.app, 'GET', '/access/users', undefined, { cookie: bad });
      assert.equal(r.status, 401, bad);
      assert.equal(r.body.code, 'unauthenticated');
    }
    t.clock.now += 2 * 3600_000 + 1000;
    assert.equal((await send(t.app, 'GET', '/access/users', undefined, { cookie })).status, 401, 'expired after 2 h');
  });

  test('renewal: the ticket as password (Proxmox), or the cookie with renew', async () => {
    const first = await login(t.app, 'admin@steward', PASSWORD);
    t.clock.now += 3600_000;
    const r = await send(t.app, 'POST', '/access/ticket', { username: 'admin@steward', password: first.cookie });
    assert.equal(r.status, 200);
    assert.notEqual(r.body.data.ticket, first.cookie);
    t.clock.now += 3600_000 + 1000; // the first ticket has expired, the renewed one has not
    assert.equal((await send(t.app, 'GET', '/access/users', undefined, { cookie: first.cookie })).status, 401);
    assert.equal((await send(t.app, 'GET', '/access/users', undefined, { cookie: r.body.data.ticket })).status, 200);
    const viaCookie = await send(t.app, 'POST', '/access/ticket', { username: 'admin@steward', renew: true }, { cookie: r.body.data.ticket, csrf: r.body.data.CSRFPreventionToken });
    assert.equal(viaCookie.status, 200);
    const stranger = await send(t.app, 'POST', '/access/ticket', { username: 'x1@steward', password: r.body.data.ticket });
    assert.equal(stranger.status, 401, 'a ticket renews only for its own user');
  });

  test('logout revokes the session server-side, renewed tickets included', async () => {
    const s = await login(t.app, 'admin@steward', PASSWORD);
    const renewed = (await send(t.app, 'POST', '/access/ticket', { username: 'admin@steward', password: s.cookie })).body.data;
    const out = await send(t.app, 'DELETE', '/access/ticket', undefined, s);
    assert.equal(out.status, 200);
    assert.match(out.headers.get('set-cookie') ?? '', /StewardAuthCookie=;/);
    assert.equal((await send(t.app, 'GET', '/access/users', undefined, { cookie: s.cookie })).status, 401);
    assert.equal((await send(t.app, 'GET', '/access/users', undefined, { cookie: renewed.ticket })).status, 401);
    assert.equal((await send(t.app, 'POST', '/access/ticket', { username: 'admin@steward', password: s.cookie })).status, 401, 'a revoked ticket cannot be renewed');
    const revoked = () => t.deps.store.collection('sessions').list('revoked:').length;
    assert.equal(revoked(), 1);
    t.clock.now += 2 * 3600_000 + 1000;
    const maintenance = t.ac.startMaintenance();
    await maintenance.stop();
    assert.equal(revoked(), 0, 'the revocation marker goes once the tickets it voids have expired');
  });

  test('a disabled or expired user’s tickets stop working at once', async () => {
    await t.user('temp@steward', PASSWORD, 'Audit');
    const admin = await login(t.app, 'admin@steward', PASSWORD);
    const s = await login(t.app, 'temp@steward', PASSWORD);
    assert.equal((await send(t.app, 'GET', '/access/users/temp@steward', undefined, s)).status, 200);
    const digest = (await send(t.app, 'GET', '/access/users/temp@steward', undefined, admin)).body.data.digest;
    assert.equal((await send(t.app, 'PUT', '/access/users/temp@steward', { enable: false, digest }, admin)).status, 200);
    assert.equal((await send(t.app, 'GET', '/access/users/temp@steward', undefined, s)).status, 401);
    assert.equal((await send(t.app, 'POST', '/access/ticket', { username: 'temp@steward', password: PASSWORD })).status, 401);
    assert.equal((await send(t.app, 'PUT', '/access/users/temp@steward', { enable: true, digest }, admin)).body.code, 'conflict', 'a stale digest is refused');
  });
});

describe('users and passwords', () => {
  let t: AccessTest;
  let admin: { cookie: string; csrf: string };
  before(async () => {
    t = await accessTest();
    await t.user('admin@steward', PASSWORD, 'Admin');
    await t.user('alice@steward', PASSWORD);
    admin = await login(t.app, 'admin@steward', PASSWORD);
  });
  after(() => t.close());

  test('CRUD with validation; the wire form never carries the hash', async () => {
    assert.equal((await send(t.app, 'POST', '/access/users', { userid: 'bob@steward', password: 'short' }, admin)).body.code, 'validation');
    assert.equal((await send(t.app, 'POST', '/access/users', { userid: 'bob@pam', password: PASSWORD }, admin)).body.code, 'validation');
    assert.equal((await send(t.app, 'POST', '/access/users', { userid: 'bob@steward', password: PASSWORD, email: 'bob@example.com', groups: ['ops'] }, admin)).status, 201);
    assert.equal((await send(t.app, 'POST', '/access/users', { userid: 'bob@steward', password: PASSWORD }, admin)).body.code, 'conflict');
    const list = await send(t.app, 'GET', '/access/users', undefined, admin);
    assert.ok(list.body.data.some((u: { userid: string }) => u.userid === 'bob@steward'));
    assert.ok(!JSON.stringify(list.body).includes('scrypt'));
    const bob = (await send(t.app, 'GET', '/access/users/bob@steward', undefined, admin)).body.data;
    assert.deepEqual(bob.groups, ['ops']);
    assert.equal((await send(t.app, 'PUT', '/access/users/bob@steward', { comment: 'x', delete: ['email'], digest: bob.digest }, admin)).status, 200);
    assert.equal((await send(t.app, 'GET', '/access/users/bob@steward', undefined, admin)).body.data.email, undefined);
    assert.equal((await send(t.app, 'DELETE', '/access/users/bob@steward', undefined, admin)).status, 200);
    assert.equal((await send(t.app, 'GET', '/access/users/bob@steward', undefined, admin)).status, 404);
    assert.equal((await send(t.app, 'DELETE', '/access/users/admin@steward', undefined, admin)).body.code, 'conflict', 'no deleting yourself');
  });

  test('a user without a role reads only themselves and changes their own password with the current one', async () => {
    const alice = await login(t.app, 'alice@steward', PASSWORD);
    assert.equal((await send(t.app, 'GET', '/access/users/alice@steward', undefined, alice)).status, 200);
    assert.equal((await send(t.app, 'GET', '/access/users/admin@steward', undefined, alice)).status, 403);
    assert.equal((await send(t.app, 'GET', '/access/users', undefined, alice)).status, 403);
    const wrong = await send(t.app, 'PUT', '/access/password', { userid: 'alice@steward', password: 'new password 1', 'old-password': 'nope' }, alice);
    assert.equal(wrong.body.code, 'auth_failed');
    assert.equal((await send(t.app, 'PUT', '/access/password', { userid: 'admin@steward', password: 'new password 1', 'old-password': PASSWORD }, alice)).body.code, 'forbidden');
    assert.equal((await send(t.app, 'PUT', '/access/password', { userid: 'alice@steward', password: 'new password 1', 'old-password': PASSWORD }, alice)).status, 200);
    assert.equal((await send(t.app, 'POST', '/access/ticket', { username: 'alice@steward', password: PASSWORD })).status, 401);
    await login(t.app, 'alice@steward', 'new password 1');
    const e = t.ac.auditLog.list({ action: 'user.password', limit: 5 });
    assert.deepEqual(e.map((x) => x.result), ['ok', 'denied', 'error']);
  });
});

describe('API tokens', () => {
  let t: AccessTest;
  let admin: { cookie: string; csrf: string };
  before(async () => {
    t = await accessTest();
    await t.user('admin@steward', PASSWORD, 'Admin');
    admin = await login(t.app, 'admin@steward', PASSWORD);
  });
  after(() => t.close());

  async function token(name: string, body: object = {}): Promise<string> {
    const r = await send(t.app, 'POST', `/access/users/admin@steward/token/${name}`, body, admin);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return `${r.body.data.tokenid}:${r.body.data.value}`;
  }

  test('the secret is shown once, stored hashed, and works in both header forms without CSRF', async () => {
    const full = await token('full', { privsep: false, comment: 'ci' });
    const secret = full.split(':')[1]!;
    const list = await send(t.app, 'GET', '/access/users/admin@steward/token', undefined, admin);
    assert.equal(list.body.data.length, 1);
    assert.ok(!JSON.stringify(list.body).includes(secret));
    assert.ok(!JSON.stringify(t.ac.tokens.get('admin@steward!full')).includes(secret), 'stored hashed');
    assert.equal((await send(t.app, 'POST', '/access/users', { userid: 'viatoken@steward', password: PASSWORD }, { token: full })).status, 201);
    const bearer = await send(t.app, 'GET', '/access/users', undefined, { headers: { authorization: `Bearer ${full}` } });
    assert.equal(bearer.status, 200);
    const bad = await send(t.app, 'GET', '/access/users', undefined, { token: full.replace(/.$/, 'x') });
    assert.equal(bad.status, 401);
    assert.equal((await send(t.app, 'GET', '/version', undefined, { token: 'admin@steward!full:nope' })).status, 401, 'a bad token is refused even on public routes');
  });

  test('last use is batched: visible at once, written to the store on flush', async () => {
    const tok = await token('usage', { privsep: false });
    await send(t.app, 'GET', '/access/users', undefined, { token: tok });
    const r = await send(t.app, 'GET', '/access/users/admin@steward/token/usage', undefined, admin);
    assert.equal(r.body.data['last-used'], t.ac.nowS());
    assert.equal(t.deps.store.collection('token-usage').get('admin@steward!usage'), undefined);
    await t.ac.tokens.flushUsage();
    assert.equal(t.deps.store.collection<number>('token-usage').get('admin@steward!usage')?.value, t.ac.nowS());
  });

  test('disabled and expired tokens are refused', async () => {
    const tok = await token('short', { privsep: false, expire: t.ac.nowS() + 60 });
    assert.equal((await send(t.app, 'GET', '/access/users', undefined, { token: tok })).status, 200);
    t.clock.now += 61_000;
    assert.equal((await send(t.app, 'GET', '/access/users', undefined, { token: tok })).status, 401);
    const tok2 = await token('off', { privsep: false });
    assert.equal((await send(t.app, 'PUT', '/access/users/admin@steward/token/off', { enable: false }, admin)).status, 200);
    assert.equal((await send(t.app, 'GET', '/access/users', undefined, { token: tok2 })).status, 401);
    const reasons = t.ac.auditLog.list({ action: 'token.auth', limit: 2 }).map((e) => e.reason);
    assert.deepEqual(reasons, ['token disabled', 'token expired']);
  });

  test('privilege separation: no ACL entry of its own = no rights; then the intersection', async () => {
    const tok = await token('sep');
    assert.equal((await send(t.app, 'GET', '/access/users', undefined, { token: tok })).status, 403);
    assert.equal((await send(t.app, 'PUT', '/access/acl', { path: '/access', role: 'Audit', 'auth-id': 'admin@steward!sep' }, admin)).status, 200);
    assert.equal((await send(t.app, 'GET', '/access/users', undefined, { token: tok })).status, 200);
    assert.equal((await send(t.app, 'POST', '/access/users', { userid: 'n1@steward', password: PASSWORD }, { token: tok })).status, 403, 'Audit cannot create');
  });

  test('a read-only (Audit ceiling) token cannot exceed it, even for an Admin user without privsep', async () => {
    const tok = await token('ro', { privsep: false, role: 'Audit' });
    assert.equal((await send(t.app, 'GET', '/access/users', undefined, { token: tok })).status, 200);
    const r = await send(t.app, 'POST', '/access/users', { userid: 'n2@steward', password: PASSWORD }, { token: tok });
    assert.equal(r.status, 403);
    assert.equal(r.body.code, 'forbidden');
    const perms = (await send(t.app, 'GET', '/access/permissions', undefined, { token: tok })).body.data;
    assert.deepEqual(perms['/'], { audit: 1 });
  });

  test('tokens cannot change passwords', async () => {
    const tok = await token('pw', { privsep: false });
    assert.equal((await send(t.app, 'PUT', '/access/password', { userid: 'admin@steward', password: 'another pass', 'old-password': PASSWORD }, { token: tok })).body.code, 'forbidden');
  });
});

describe('ACL, permissions and groups of remotes', () => {
  let t: AccessTest;
  let admin: { cookie: string; csrf: string };
  before(async () => {
    t = await accessTest();
    await t.user('admin@steward', PASSWORD, 'Admin');
    await t.user('cust@steward', PASSWORD);
    admin = await login(t.app, 'admin@steward', PASSWORD);
  });
  after(() => t.close());

  test('grant, list and remove; bad paths and unknown subjects are refused', async () => {
    for (const path of ['/nope', '/remotes/../x', '/access/users', 'remotes']) {
      assert.equal((await send(t.app, 'PUT', '/access/acl', { path, role: 'Audit', 'auth-id': 'cust@steward' }, admin)).body.code, 'validation', path);
    }
    assert.equal((await send(t.app, 'PUT', '/access/acl', { path: '/', role: 'Audit', 'auth-id': 'ghost@steward' }, admin)).body.code, 'validation');
    assert.equal((await send(t.app, 'PUT', '/access/acl', { path: '/', role: 'Audit' }, admin)).body.code, 'validation');
    assert.equal((await send(t.app, 'PUT', '/access/acl', { path: '/remotes/pve1', role: 'Manage', 'auth-id': 'cust@steward' }, admin)).status, 200);
    const list = (await send(t.app, 'GET', '/access/acl', undefined, admin)).body.data;
    assert.ok(list.some((e: { path: string; ugid: string; roleid: string }) => e.path === '/remotes/pve1' && e.ugid === 'cust@steward' && e.roleid === 'Manage'));
    assert.equal((await send(t.app, 'PUT', '/access/acl', { path: '/remotes/pve1', role: 'Manage', 'auth-id': 'cust@steward', delete: 1 }, admin)).status, 200);
    assert.equal((await send(t.app, 'PUT', '/access/acl', { path: '/', role: 'Admin', 'auth-id': 'admin@steward', delete: 1 }, admin)).body.code, 'conflict', 'the last admin stays');
  });

  test('a role on /groups/{id} reaches the group’s remotes with its credential', async () => {
    assert.equal((await send(t.app, 'POST', '/groups', { id: 'customer-a', entries: [{ remote: 'pve1', credential: 'pool-a' }, { remote: 'pbs1' }] }, admin)).status, 201);
    assert.equal((await send(t.app, 'POST', '/groups', { id: 'dup', entries: [{ remote: 'pve1' }, { remote: 'pve1' }] }, admin)).body.code, 'validation');
    const cust = await login(t.app, 'cust@steward', PASSWORD);
    const auth = { userid: 'cust@steward', kind: 'ticket' as const };
    assert.equal(t.ac.remoteAccess(auth, 'pve1'), null);
    assert.equal((await send(t.app, 'GET', '/groups', undefined, cust)).body.data.length, 0);
    await send(t.app, 'PUT', '/access/acl', { path: '/groups/customer-a', role: 'Manage', 'auth-id': 'cust@steward' }, admin);
    assert.deepEqual(t.ac.remoteAccess(auth, 'pve1'), { role: 'Manage', credential: 'pool-a' });
    assert.deepEqual(t.ac.remoteAccess(auth, 'pbs1'), { role: 'Manage', credential: null });
    assert.equal(t.ac.remoteAccess(auth, 'pve2'), null);
    assert.ok(t.ac.authorize(auth, '/remotes/pve1/qemu/100', 'manage'));
    assert.ok(!t.ac.authorize(auth, '/remotes/pve1', 'admin'));
    assert.equal((await send(t.app, 'GET', '/groups', undefined, cust)).body.data.length, 1);
    // A direct Admin grant wins over the group's Manage, with the remote's default credential.
    await send(t.app, 'PUT', '/access/acl', { path: '/remotes/pve1', role: 'Admin', 'auth-id': 'cust@steward' }, admin);
    assert.deepEqual(t.ac.remoteAccess(auth, 'pve1'), { role: 'Admin', credential: null });
    // An explicit NoAccess on the remote cuts the group's access too.
    await send(t.app, 'PUT', '/access/acl', { path: '/remotes/pve1', role: 'NoAccess', 'auth-id': 'cust@steward' }, admin);
    assert.equal(t.ac.remoteAccess(auth, 'pve1'), null);
    assert.ok(!t.ac.authorize(auth, '/remotes/pve1', 'audit'));
    const perms = (await send(t.app, 'GET', '/access/permissions', undefined, cust)).body.data;
    assert.deepEqual(perms['/groups/customer-a'], { audit: 1, manage: 1 });
    assert.deepEqual(perms['/remotes/pve1'], {});
    assert.equal(perms['/'], undefined);
    // Deleting the group removes its grants.
    assert.equal((await send(t.app, 'DELETE', '/groups/customer-a', undefined, admin)).status, 200);
    assert.equal(t.ac.remoteAccess(auth, 'pbs1'), null);
    assert.ok(!t.ac.acl.list().some((e) => e.path === '/groups/customer-a'));
  });

  test('changes to users, tokens, ACL and groups are in the audit log with who and what', async () => {
    const acl = t.ac.auditLog.list({ action: 'acl', limit: 100 });
    assert.ok(acl.some((e) => e.user === 'admin@steward' && e.target === '/groups/customer-a user:cust@steward +Manage' && e.result === 'ok'));
    assert.ok(t.ac.auditLog.list({ action: 'group.create', limit: 5 }).some((e) => e.target === 'customer-a'));
    assert.equal(t.ac.auditLog.verify().ok, true);
  });
});

describe('audit log route', () => {
  let t: AccessTest;
  before(async () => {
    t = await accessTest();
    await t.user('admin@steward', PASSWORD, 'Admin');
    await t.user('auditor@steward', PASSWORD, 'Audit', '/access');
  });
  after(() => t.close());

  test('filters by user, action, result and time; pages newest first', async () => {
    const admin = await login(t.app, 'admin@steward', PASSWORD);
    t.clock.now += 10_000;
    for (let i = 0; i < 5; i++) await send(t.app, 'POST', '/access/users', { userid: `u${i}@steward`, password: PASSWORD }, admin);
    await send(t.app, 'POST', '/access/ticket', { username: 'admin@steward', password: 'bad password' });
    const auditor = await login(t.app, 'auditor@steward', PASSWORD);
    const page1 = (await send(t.app, 'GET', '/access/audit', { action: 'user.create', limit: '2' }, auditor)).body.data;
    const page2 = (await send(t.app, 'GET', '/access/audit', { action: 'user.create', limit: '2', start: '2' }, auditor)).body.data;
    assert.deepEqual(page1.map((e: { target: string }) => e.target), ['u4@steward', 'u3@steward']);
    assert.deepEqual(page2.map((e: { target: string }) => e.target), ['u2@steward', 'u1@steward']);
    const denied = (await send(t.app, 'GET', '/access/audit', { result: 'denied' }, auditor)).body.data;
    assert.equal(denied[0].action, 'login');
    const since = (await send(t.app, 'GET', '/access/audit', { since: String(t.ac.nowS()), user: 'auditor@steward' }, auditor)).body.data;
    assert.deepEqual(since.map((e: { action: string }) => e.action), ['login']);
    assert.equal((await send(t.app, 'GET', '/access/audit', { limit: '5000' }, auditor)).body.code, 'validation');
    const cust = await send(t.app, 'POST', '/access/users', { userid: 'zz@steward', password: PASSWORD }, auditor);
    assert.equal(cust.status, 403);
  });
});
