import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiError } from '../../../shared/errors.ts';
import { closedPort, startFakeProxmox } from '../../../tests/fixtures/fake-proxmox.ts';
import type { FakeProxmox } from '../../../tests/fixtures/fake-proxmox.ts';
import { DEFAULT_CLIENT_OPTIONS, RemoteClient } from './client.ts';
import type { ClientCredential, ClientOptions } from './client.ts';

const TOKEN: ClientCredential = { kind: 'token', tokenid: 'steward@pve!dash', secret: '11111111-2222-3333-4444-555555555555' };
const WRONG_PIN = 'AA:'.repeat(31) + 'AA';
const sleeps: number[] = [];
const opts: ClientOptions = { ...DEFAULT_CLIENT_OPTIONS, sleep: async (ms) => void sleeps.push(ms), timeoutMs: 2000, connectTimeoutMs: 1000 };

async function rejectsWith(p: Promise<unknown>, code: string): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected ApiError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

describe('remote client', () => {
  let fake: FakeProxmox;
  const clients: RemoteClient[] = [];
  const client = (over: Partial<ConstructorParameters<typeof RemoteClient>[0]> = {}, o: Partial<ClientOptions> = {}) => {
    const c = new RemoteClient({ id: 'pve1', type: 'pve', endpoints: [{ host: '127.0.0.1', port: fake.port, fingerprint: fake.fingerprint }], credential: TOKEN, ...over }, { ...opts, ...o });
    clients.push(c);
    return c;
  };

  before(async () => {
    fake = await startFakeProxmox(() => undefined);
  });
  after(async () => {
    for (const c of clients) c.close();
    await fake.close();
  });

  test('a pinned GET carries the PVE token header and returns the envelope data', async () => {
    fake.handler = (r) => (r.path === '/api2/json/version' ? { data: { version: '9.0.3', release: '9.0' } } : undefined);
    fake.requests.length = 0;
    assert.deepEqual(await client().get('/version'), { version: '9.0.3', release: '9.0' });
    assert.equal(fake.requests[0]!.headers.authorization, `PVEAPIToken=${TOKEN.tokenid}=${TOKEN.secret}`);
  });

  test('PBS tokens use PBSAPIToken=id:secret', async () => {
    fake.handler = () => ({ data: 1 });
    fake.requests.length = 0;
    await client({ type: 'pbs' }).get('/version');
    assert.equal(fake.requests[0]!.headers.authorization, `PBSAPIToken=${TOKEN.tokenid}:${TOKEN.secret}`);
  });

  test('a changed certificate: fingerprint_mismatch, and not a single byte of HTTP reached the peer', async () => {
    fake.requests.length = 0;
    const c = client({ endpoints: [{ host: '127.0.0.1', port: fake.port, fingerprint: WRONG_PIN }] });
    const err = await rejectsWith(c.post('/nodes/n1/qemu/100/status/start', { node: 'n1' }), 'fingerprint_mismatch');
    assert.match(err.message, new RegExp(fake.fingerprint));
    assert.equal(fake.requests.length, 0, 'no request (and so no credential) was sent');
    assert.equal(c.endpoints[0]!.mismatch, fake.fingerprint);
    // Later calls do not even connect: the endpoint is blocked until the pin changes.
    assert.match((await rejectsWith(c.get('/version'), 'fingerprint_mismatch')).message, /an admin must trust the new fingerprint/);
    assert.equal(fake.requests.length, 0);
  });

  test('without a pin, a self-signed certificate is refused (system CAs) before anything is sent', async () => {
    fake.requests.length = 0;
    await rejectsWith(client({ endpoints: [{ host: '127.0.0.1', port: fake.port }] }, { retries: 0 }).get('/version'), 'remote_tls');
    assert.equal(fake.requests.length, 0);
  });

  test('failover: the first endpoint refuses, the second answers — for POSTs too, since nothing was sent', async () => {
    const dead = await closedPort();
    fake.handler = () => ({ data: 'UPID:n1:0000:start' });
    const c = client({ endpoints: [{ host: '127.0.0.1', port: dead, fingerprint: fake.fingerprint }, { host: '127.0.0.1', port: fake.port, fingerprint: fake.fingerprint }] });
    assert.equal(await c.post('/nodes/n1/qemu/100/status/start'), 'UPID:n1:0000:start');
    assert.match(c.endpoints[0]!.lastError!, /refused/);
    assert.equal(await c.get('/version'), 'UPID:n1:0000:start');
  });

  test('every endpoint down: remote_unreachable naming each', async () => {
    const a = await closedPort();
    const b = await closedPort();
    const err = await rejectsWith(client({ endpoints: [{ host: '127.0.0.1', port: a, fingerprint: fake.fingerprint }, { host: '127.0.0.1', port: b, fingerprint: fake.fingerprint }] }).get('/version'), 'remote_unreachable');
    assert.match(err.message, new RegExp(`${a}.*${b}`));
  });

  test('GETs are retried with back-off on 503 and broken bodies; POSTs are not retried', async () => {
    let n = 0;
    fake.handler = (r) => (r.method === 'GET' ? (++n === 1 ? { status: 503, reason: 'busy' } : n === 2 ? { raw: '{"data": [1, 2' } : { data: 'ok' }) : { status: 503, reason: 'busy' });
    sleeps.length = 0;
    assert.equal(await client().get('/cluster/resources'), 'ok');
    assert.equal(n, 3);
    assert.deepEqual(sleeps, [250, 500]);
    fake.requests.length = 0;
    await rejectsWith(client().post('/nodes/n1/qemu/100/status/start'), 'remote_error');
    assert.equal(fake.requests.length, 1);
  });

  test("the remote's 401/403/500 become remote_auth_failed / remote_forbidden / remote_error with its reason", async () => {
    fake.handler = () => ({ status: 401, reason: 'authentication failure' });
    await rejectsWith(client().get('/version'), 'remote_auth_failed');
    fake.handler = () => ({ status: 403, reason: 'Permission check failed (/vms/100, VM.PowerMgmt)' });
    const e = await rejectsWith(client().post('/nodes/n1/qemu/100/status/start'), 'remote_forbidden');
    assert.match(e.message, /VM\.PowerMgmt/);
    fake.handler = () => ({ status: 500, reason: 'VM 100 not running', raw: '{"data":null,"message":"VM 100 not running\\n"}' });
    assert.match((await rejectsWith(client().post('/nodes/n1/qemu/100/status/stop'), 'remote_error')).message, /VM 100 not running/);
  });

  test('password credentials log in for a ticket, send cookie (+ CSRF on writes), and log in again on 401', async () => {
    let tickets = 0;
    let valid = '';
    fake.handler = (r) => {
      if (r.path === '/api2/json/access/ticket') {
        const p = new URLSearchParams(r.body);
        if (p.get('username') !== 'root@pam' || p.get('password') !== 'pa ss&word') return { status: 401, reason: 'authentication failure' };
        valid = `PVE:root@pam:${++tickets}`;
        return { data: { ticket: valid, CSRFPreventionToken: `csrf${tickets}`, username: 'root@pam' } };
      }
      if (r.headers.cookie !== `PVEAuthCookie=${encodeURIComponent(valid)}`) return { status: 401, reason: 'invalid ticket' };
      if (r.method === 'POST' && r.headers.csrfpreventiontoken !== `csrf${tickets}`) return { status: 401, reason: 'bad csrf' };
      return { data: 'fine' };
    };
    const c = client({ credential: { kind: 'password', username: 'root@pam', password: 'pa ss&word' } });
    assert.equal(await c.get('/nodes'), 'fine');
    assert.equal(await c.post('/nodes/n1/qemu/100/status/start'), 'fine');
    assert.equal(tickets, 1);
    valid = 'expired'; // the remote forgot the ticket (restart, expiry)
    assert.equal(await c.get('/nodes'), 'fine');
    assert.equal(tickets, 2);
    const bad = client({ credential: { kind: 'password', username: 'root@pam', password: 'wrong' } });
    await rejectsWith(bad.get('/nodes'), 'remote_auth_failed');
  });

  test('tickets are renewed before they expire (injectable clock)', async () => {
    let now = 1_000_000;
    let logins = 0;
    fake.handler = (r) => (r.path === '/api2/json/access/ticket' ? (logins++, { data: { ticket: 't', CSRFPreventionToken: 'c' } }) : { data: 1 });
    const c = client({ credential: { kind: 'password', username: 'root@pam', password: 'x' } }, { now: () => now });
    await c.get('/nodes');
    now += 60 * 60_000;
    await c.get('/nodes');
    assert.equal(logins, 1);
    now += 31 * 60_000;
    await c.get('/nodes');
    assert.equal(logins, 2);
  });

  test('per-remote concurrency limit and keep-alive', async () => {
    fake.handler = () => ({ data: 1, delayMs: 30 });
    fake.maxConcurrent = 0;
    const before = fake.connections;
    const c = client({}, { concurrency: 3 });
    await Promise.all(Array.from({ length: 12 }, () => c.get('/version')));
    assert.equal(fake.maxConcurrent, 3);
    assert.ok(fake.connections - before <= 3, `connections reused (opened ${fake.connections - before})`);
  });

  test('a silent remote times out', async () => {
    fake.handler = () => ({ data: 1, delayMs: 500 });
    await rejectsWith(client({}, { timeoutMs: 100, retries: 0 }).get('/version'), 'timeout');
  });
});
