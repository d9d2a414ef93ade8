// Access control across processes: steward-admin creates the first admin (as `make demo`
// does), the admin logs in over HTTPS, reads this host's status through privd, creates a
// read-only token; the audit log verifies, and steward-admin notices when it is tampered with.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { open } from 'lmdb';
import { startStack } from '../harness/stack.ts';
import type { Stack } from '../harness/stack.ts';
import { request } from '../harness/https.ts';

const PASSWORD = 'integration secret 1';

describe('access control end to end', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ extraConfig: { LOGIN_FAILURE_DELAY_MS: '5' } });
  });
  after(() => stack.stop());

  test('the ticket key file is created 0600 at first start', () => {
    assert.equal(statSync(`${stack.dir}/etc/ticket.key`).mode & 0o777, 0o600);
  });

  test('steward-admin creates an Admin who logs in and reads /system/status through privd', async () => {
    const created = await stack.admin(['user', 'create', 'admin@steward', '--role', 'Admin', '--password-stdin'], `${PASSWORD}\n`);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /created admin@steward with role Admin on \//);
    assert.ok(!created.stdout.includes(PASSWORD));

    const anon = await request(`${stack.url}/api2/json/system/status`);
    assert.equal(anon.status, 401);
    const login = await request(`${stack.url}/api2/json/access/ticket`, { method: 'POST', body: { username: 'admin@steward', password: PASSWORD } });
    assert.equal(login.status, 200, login.text);
    const { ticket, CSRFPreventionToken } = login.json<{ data: { ticket: string; CSRFPreventionToken: string } }>().data;
    assert.match(String(login.headers['set-cookie']), /StewardAuthCookie=.*HttpOnly.*Secure.*SameSite=Strict/i);
    const cookie = `StewardAuthCookie=${encodeURIComponent(ticket)}`;

    const status = await request(`${stack.url}/api2/json/system/status`, { headers: { cookie } });
    assert.equal(status.status, 200, status.text);
    const data = status.json<{ data: { hostname: string } }>().data;
    assert.ok(data.hostname.length > 0);

    const tok = await request(`${stack.url}/api2/json/access/users/admin@steward/token/ro`, { method: 'POST', headers: { cookie, CSRFPreventionToken }, body: { role: 'Audit', privsep: false } });
    assert.equal(tok.status, 201, tok.text);
    const { tokenid, value } = tok.json<{ data: { tokenid: string; value: string } }>().data;
    const viaToken = await request(`${stack.url}/api2/json/system/status`, { headers: { authorization: `StewardAPIToken=${tokenid}:${value}` } });
    assert.equal(viaToken.status, 200);
    const denied = await request(`${stack.url}/api2/json/access/users`, { method: 'POST', headers: { authorization: `Bearer ${tokenid}:${value}` }, body: { userid: 'x@steward', password: PASSWORD } });
    assert.equal(denied.status, 403);

    const wrong = await request(`${stack.url}/api2/json/access/ticket`, { method: 'POST', body: { username: 'admin@steward', password: 'not it at all' } });
    assert.equal(wrong.status, 401);
    // The daemon's stdout reaches us through a pipe: give the line a moment to arrive.
    const failLine = (l: string) => /authentication failure .*rhost=127\.0\.0\.1 user=admin@steward/.test(l);
    for (let i = 0; i < 100 && !stack.api.lines.some(failLine); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(stack.api.lines.some(failLine), 'a fail2ban-friendly line');

    const tokens = await stack.admin(['token', 'list']);
    assert.match(tokens.stdout, /admin@steward!ro\tenabled\tno expiry\tfull user rights\tceiling Audit/);
    assert.ok(!tokens.stdout.includes(value));
  });

  test('steward-admin audit verify passes on the untouched log and fails on a modified one', async () => {
    const ok = await stack.admin(['audit', 'verify']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /audit log OK: \d+ entries/);
    // Tamper as someone with the database would: rewrite one entry's result.
    await stack.stopApi();
    const root = open({ path: `${stack.dir}/data/steward.lmdb`, maxDbs: 32, compression: false });
    const db = root.openDB<{ result: string; action: string }, string>({ name: 'audit', useVersions: true });
    const [first] = db.getRange({ limit: 1 });
    assert.ok(first);
    await db.put(first.key, { ...first.value, result: 'error' }, 99);
    await root.close();
    const bad = await stack.admin(['audit', 'verify']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /TAMPERED at entry 1: entry 1 was modified/);
  });
});
