// Both daemons as real processes: HTTPS, the privd socket, signals, and the uid rules.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { selfSignedCertificate, fingerprintOfPem } from '../../daemons/common/certificate.ts';
import { Logger } from '../../daemons/common/log.ts';
import { PrivdClient } from '../../daemons/api/privd-client.ts';
import type { ApiError } from '../../shared/errors.ts';
import { request } from '../harness/https.ts';
import { DIST, startStack } from '../harness/stack.ts';
import type { Stack } from '../harness/stack.ts';

const asRoot = process.getuid?.() === 0;

describe('steward-api and steward-privd as processes', () => {
  let stack: Stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); });

  test('serves the version and the OpenAPI document over HTTPS', async () => {
    const v = await request(`${stack.url}/api2/json/version`);
    assert.equal(v.status, 200);
    assert.equal(v.json<{ data: { product: string } }>().data.product, 'steward');
    assert.match(v.headers['strict-transport-security'] as string, /max-age=/);
    const doc = await request(`${stack.url}/api2/openapi.json`);
    assert.equal(doc.json<{ openapi: string }>().openapi, '3.1.0');
  });

  test('non-public routes answer 401 without credentials', async () => {
    const r = await request(`${stack.url}/api2/json/system/status`);
    assert.equal(r.status, 401);
    assert.equal(r.json<{ code: string }>().code, 'unauthenticated');
  });

  test('serves the UI with a strict CSP', async () => {
    const r = await request(`${stack.url}/`);
    assert.equal(r.status, 200);
    const csp = r.headers['content-security-policy'] as string;
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(r.text, /<script type="module" src="\/assets\/app-[A-Z0-9]+\.js">/);
  });

  test('the privd socket is 0660 and answers system.info', async () => {
    const st = statSync(stack.privdSocket);
    assert.equal(st.mode & 0o777, 0o660);
    if (asRoot) assert.equal(st.gid, 65534, 'group of the API user (nogroup in tests, steward when packaged)');
    const client = PrivdClient.forSocket(stack.privdSocket, new Logger(), 5000);
    const info = await client.call('system.info', {}, { user: 'test@steward' });
    assert.ok(info.memory.total > 0);
    const many = await Promise.all(Array.from({ length: 20 }, () => client.call('system.info', {}, { user: 'test@steward' })));
    assert.equal(many.length, 20);
    client.close();
    assert.ok(stack.privd.lines.some((l) => /privd call method=system.info user=test@steward .*result=ok/.test(l)));
  });

  test('SIGHUP swaps the certificate: new connections see it, open keep-alive ones keep working', async () => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    const before = await request(`${stack.url}/api2/json/ping`, { agent });
    const pair = selfSignedCertificate({ hostname: 'renewed.example' });
    writeFileSync(join(stack.dir, 'etc', 'api.pem'), pair.cert);
    writeFileSync(join(stack.dir, 'etc', 'api.key'), pair.key);
    stack.api.child.kill('SIGHUP');
    const want = fingerprintOfPem(pair.cert);
    for (let i = 0; i < 100 && !stack.api.lines.some((l) => l.includes('certificate reloaded')); i++) await new Promise((r) => setTimeout(r, 20));
    const fresh = await request(`${stack.url}/api2/json/ping`);
    assert.equal(fresh.fingerprint, want, 'a new connection gets the new certificate');
    const same = await request(`${stack.url}/api2/json/ping`, { agent });
    assert.equal(same.status, 200, 'the old keep-alive connection still answers');
    assert.equal(same.fingerprint, before.fingerprint, 'over the same TLS session as before');
    agent.destroy();
  });

  test('an absent privd is a 503 unavailable for the caller, not a hang', async () => {
    const client = PrivdClient.forSocket(join(stack.dir, 'run', 'no-such.sock'), new Logger(), 2000);
    await assert.rejects(client.call('system.info', {}, { user: 't' }), (e: ApiError) => e.code === 'unavailable' && e.status === 503);
  });

  test('SIGTERM stops the API cleanly with exit code 0', async () => {
    const code = await stack.stopApi('SIGTERM');
    assert.equal(code, 0);
    assert.ok(stack.api.lines.some((l) => l.includes('steward-api stopped')));
    assert.deepEqual(stack.errorLines(), []);
    await stack.startApi();
    const v = await request(`${stack.url}/api2/json/version`);
    assert.equal(v.status, 200, 'restarts on the same data directory');
  });
});

describe('uid rules', { skip: !asRoot && 'needs root to switch users' }, () => {
  test('steward-api refuses to run as root', () => {
    const r = spawnSync(process.execPath, [join(DIST, 'lib', 'steward-api.mjs')], { encoding: 'utf8', env: { STEWARD_CONFIG: '/nonexistent' } });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /must not run as root/);
  });

  test('steward-privd refuses to run as an ordinary user outside development mode', () => {
    const r = spawnSync(process.execPath, [join(DIST, 'lib', 'steward-privd.mjs')], { encoding: 'utf8', uid: 65534, gid: 65534, env: { STEWARD_CONFIG: '/nonexistent' } });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /must run as root/);
  });
});
