// ACME end to end with the real daemons and Debian's Pebble: an Admin registers an account
// and orders a certificate over HTTPS; Pebble validates http-01 against steward-privd's
// responder, privd installs the result and SIGHUPs steward-api, and a new TLS connection
// to the API sees Pebble's certificate while a keep-alive connection opened before keeps
// working on its old session.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { request } from '../harness/https.ts';
import { freePort, startPebble } from '../harness/pebble.ts';
import type { Pebble } from '../harness/pebble.ts';
import { startStack } from '../harness/stack.ts';
import type { Stack } from '../harness/stack.ts';

const PASSWORD = 'acme stack secret 1';
const DOMAIN = 'steward.example.test';

/** The certificate a fresh TLS connection to the API is served. */
function peerCertificate(url: string): Promise<tls.PeerCertificate> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: hostname, port: Number(port), rejectUnauthorized: false, servername: DOMAIN }, () => {
      resolve(s.getPeerCertificate());
      s.end();
    });
    s.on('error', reject);
  });
}

describe('ACME with the real daemons and Pebble', () => {
  let stack: Stack;
  let pebble: Pebble;
  let headers: Record<string, string>;
  const api = (method: string, path: string, body?: object) => request(`${stack.url}/api2/json${path}`, { method, headers, ...(body ? { body } : {}) });

  before(async () => {
    const httpPort = await freePort();
    pebble = await startPebble({ httpPort });
    await pebble.addA(DOMAIN);
    const dir = mkdtempSync(join(tmpdir(), 'steward-acme-stack-'));
    // steward-api trusts Pebble's directory through the standard Node.js variable.
    const ca = join(dir, 'pebble-listener.pem');
    writeFileSync(ca, pebble.listenerCa, { mode: 0o644 });
    stack = await startStack({
      dir,
      extraConfig: { ACME_HTTP_PORT: String(httpPort), API_PID_FILE: join(dir, 'data', 'api.pid') },
      env: { NODE_EXTRA_CA_CERTS: ca },
    });
    const created = await stack.admin(['user', 'create', 'admin@steward', '--role', 'Admin', '--password-stdin'], `${PASSWORD}\n`);
    assert.equal(created.code, 0, created.stderr);
    const login = await request(`${stack.url}/api2/json/access/ticket`, { method: 'POST', body: { username: 'admin@steward', password: PASSWORD } });
    assert.equal(login.status, 200, login.text);
    const { ticket, CSRFPreventionToken } = login.json<{ data: { ticket: string; CSRFPreventionToken: string } }>().data;
    headers = { cookie: `StewardAuthCookie=${encodeURIComponent(ticket)}`, CSRFPreventionToken };
  });
  after(async () => {
    await stack?.stop();
    await pebble?.stop();
    if (stack) rmSync(stack.dir, { recursive: true, force: true });
  });

  test('account, order over http-01, installed by privd: new connections see Pebble\'s certificate, an open one keeps working', async () => {
    const account = await api('POST', '/system/acme/accounts', { name: 'pebble', directory: pebble.directory, contact: ['admin@example.test'], 'tos-agreed': 1 });
    assert.equal(account.status, 200, account.text);
    const settings = await api('PUT', '/system/acme/settings', { account: 'pebble', domains: [DOMAIN], challenge: 'http-01' });
    assert.equal(settings.status, 200, settings.text);

    const keepAlive = new https.Agent({ keepAlive: true, maxSockets: 1 });
    const old = await request(`${stack.url}/api2/json/ping`, { agent: keepAlive });
    assert.equal(old.status, 200);
    const before = await peerCertificate(stack.url);
    assert.doesNotMatch(String(before.issuer.CN), /Pebble/);

    const started = await api('POST', '/system/acme/order', {});
    assert.equal(started.status, 200, started.text);
    let job = started.json<{ data: { state: string; fingerprint: string | null; log: { message: string }[] } }>().data;
    for (let i = 0; i < 300 && job.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await api('GET', '/system/acme/order')).json<{ data: typeof job }>().data;
    }
    assert.equal(job.state, 'ok', JSON.stringify(job.log));
    assert.ok(job.log.some((l) => /http-01 responder of steward-privd/.test(l.message)));
    assert.ok(stack.privd.lines.some((l) => /privd call method=cert.install user=admin@steward .*result=ok/.test(l)));

    for (let i = 0; i < 100 && !stack.api.lines.some((l) => l.includes('certificate reloaded')); i++) await new Promise((r) => setTimeout(r, 20));
    const after = await peerCertificate(stack.url);
    assert.equal(after.fingerprint256, job.fingerprint, 'a new TLS connection gets the ordered certificate');
    assert.match(String(after.issuer.CN), /^Pebble Intermediate CA/);
    assert.match(after.subjectaltname ?? '', new RegExp(`DNS:${DOMAIN}`));

    const same = await request(`${stack.url}/api2/json/ping`, { agent: keepAlive });
    assert.equal(same.status, 200, 'the keep-alive connection opened before still answers');
    assert.equal(same.fingerprint, old.fingerprint, 'on its old TLS session');
    keepAlive.destroy();

    const shown = await api('GET', '/system/certificates');
    assert.match(shown.json<{ data: { issuer: string } }>().data.issuer, /Pebble Intermediate CA/);
    assert.deepEqual(stack.errorLines(), []);
  });
});
