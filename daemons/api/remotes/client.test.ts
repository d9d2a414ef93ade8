// Steward's remote client against the simulator's demo remotes: pinned TLS (nothing sent to
// an unpinned peer), token and ticket authentication, failover, retries, the remote's
// errors, keep-alive and the per-remote concurrency limit. The simulator's request log shows
// what reached a node, its stats how many connections and requests were open at once.
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';
import { ApiError } from '../../../shared/errors.ts';
import { startSim } from '../../../tests/sim/index.ts';
import type { Fault, FaultTarget, Sim, SimRemote } from '../../../tests/sim/index.ts';
import { BodyBuffer, DEFAULT_CLIENT_OPTIONS, RemoteClient } from './client.ts';
import type { ClientCredential, ClientOptions, ClientTarget } from './client.ts';

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
  let sim: Sim;
  const clients: RemoteClient[] = [];
  const remote = (id: string): SimRemote => sim.remotes.find((r) => r.id === id)!;
  const credential = (r: SimRemote, name = 'steward'): ClientCredential => {
    const c = r.credentials.find((x) => x.name === name)!;
    return c.kind === 'token' ? { kind: 'token', tokenid: c.tokenid, secret: c.secret } : { kind: 'password', username: c.username, password: c.password };
  };
  /** A client for a simulated remote, pinned to each node's fingerprint (first node first). */
  const client = (id: string, over: Partial<ClientTarget> = {}, o: Partial<ClientOptions> = {}) => {
    const r = remote(id);
    const c = new RemoteClient({ id, type: r.type, endpoints: r.nodes.map((n) => ({ host: n.host, port: n.port, fingerprint: n.fingerprint })), credential: credential(r), ...over }, { ...opts, ...o });
    clients.push(c);
    return c;
  };
  const sent = (node: string) => sim.requests.filter((r) => r.node === node);
  async function withFault<T>(target: FaultTarget, fault: Fault, run: () => Promise<T>): Promise<T> {
    sim.setFault(target, fault);
    await sim.settled();
    try {
      return await run();
    } finally {
      sim.setFault(target, target.node === 'lab-3' ? { kind: 'down' } : null);
      await sim.settled();
    }
  }

  before(async () => {
    sim = await startSim({ scenario: 'demo', taskSpeed: 1000, recordRequests: true });
  });
  after(async () => {
    for (const c of clients) c.close();
    await sim.close();
  });

  test('a pinned GET carries the PVE token header and returns the envelope data', async () => {
    sim.requests.length = 0;
    const lab = sim.world.remote('lab')!;
    assert.deepEqual(await client('lab').get('/version'), { version: lab.version, release: lab.release, repoid: lab.repoid.slice(0, 8), console: 'html5' });
    const tok = credential(remote('lab')) as { tokenid: string; secret: string };
    assert.equal(sim.requests[0]!.headers.authorization, `PVEAPIToken=${tok.tokenid}=${tok.secret}`);
    assert.equal(sim.requests[0]!.node, 'lab-1', 'the first endpoint');
  });

  test('PBS tokens use PBSAPIToken=id:secret', async () => {
    sim.requests.length = 0;
    await client('backup').get('/version');
    const tok = credential(remote('backup')) as { tokenid: string; secret: string };
    assert.equal(sim.requests[0]!.headers.authorization, `PBSAPIToken=${tok.tokenid}:${tok.secret}`);
  });

  test('a wrong pin: fingerprint_mismatch, and not a single byte of HTTP reached the peer', async () => {
    sim.requests.length = 0;
    const n = remote('lab').nodes[0]!;
    const c = client('lab', { endpoints: [{ host: n.host, port: n.port, fingerprint: WRONG_PIN }] });
    const err = await rejectsWith(c.post('/nodes/lab-1/qemu/110/status/start'), 'fingerprint_mismatch');
    assert.match(err.message, new RegExp(n.fingerprint));
    assert.deepEqual(sim.requests, [], 'no request (and so no credential) was sent');
    assert.equal(c.endpoints[0]!.mismatch, n.fingerprint);
    // Later calls do not even connect: the endpoint is blocked until the pin changes.
    assert.match((await rejectsWith(c.get('/version'), 'fingerprint_mismatch')).message, /an admin must trust the new fingerprint/);
    assert.deepEqual(sim.requests, []);
  });

  test("a node's certificate changes: its endpoint is blocked (no credential sent to it), the others carry on", async () => {
    const c = client('lab');
    await c.get('/version');
    await withFault({ remote: 'lab', node: 'lab-1' }, { kind: 'cert-changed' }, async () => {
      sim.requests.length = 0;
      const served = sim.world.servedFingerprint(sim.world.remote('lab')!.nodes[0]!);
      assert.notEqual(served, remote('lab').nodes[0]!.fingerprint);
      assert.ok(Array.isArray(await c.get('/cluster/status')), 'answered by lab-2');
      assert.equal(c.endpoints[0]!.mismatch, served);
      assert.deepEqual(sent('lab-1'), [], 'nothing reached the node with the new certificate');
      assert.ok(sent('lab-2').length >= 1);
      const n = remote('lab').nodes[0]!;
      const only = client('lab', { endpoints: [{ host: n.host, port: n.port, fingerprint: n.fingerprint }] });
      assert.match((await rejectsWith(only.get('/version'), 'fingerprint_mismatch')).message, new RegExp(served));
      assert.deepEqual(sent('lab-1'), []);
    });
  });

  test('without a pin, a self-signed certificate is refused (system CAs) before anything is sent', async () => {
    sim.requests.length = 0;
    const n = remote('lab').nodes[0]!;
    await rejectsWith(client('lab', { endpoints: [{ host: n.host, port: n.port }] }, { retries: 0 }).get('/version'), 'remote_tls');
    assert.deepEqual(sim.requests, []);
  });

  test('failover: the first endpoint refuses, the second answers — for POSTs too, since nothing was sent', async () => {
    const c = client('lab');
    await withFault({ remote: 'lab', node: 'lab-1' }, { kind: 'down' }, async () => {
      sim.requests.length = 0;
      const upid = await c.post('/nodes/lab-2/qemu/109/status/start');
      assert.match(String(upid), /^UPID:lab-2:.*:qmstart:109:root@pam!steward:$/);
      assert.match(c.endpoints[0]!.lastError!, /refused/);
      assert.deepEqual(sim.requests.map((r) => `${r.node} ${r.method}`), ['lab-2 POST']);
      assert.ok(Array.isArray(await c.get('/cluster/tasks')));
    });
  });

  test('every endpoint down: remote_unreachable naming each', async () => {
    // lab-3 is down in the demo; lab-1 goes down too.
    const [a, , b] = remote('lab').nodes;
    await withFault({ remote: 'lab', node: 'lab-1' }, { kind: 'down' }, async () => {
      const c = client('lab', { endpoints: [a!, b!].map((n) => ({ host: n.host, port: n.port, fingerprint: n.fingerprint })) });
      const err = await rejectsWith(c.get('/version'), 'remote_unreachable');
      assert.match(err.message, new RegExp(`${a!.port}.*${b!.port}`));
    });
  });

  test('GETs are retried with back-off on 503 and broken bodies; POSTs are not retried', async () => {
    // The node's own fault first (one 503), then the remote's (one body that is not JSON), then normal answers.
    sim.setFault({ remote: 'single' }, { kind: 'malformed', times: 1 });
    sim.setFault({ remote: 'single', node: 'pve-edge' }, { kind: 'http', status: 503, times: 1 });
    await sim.settled();
    sleeps.length = 0;
    sim.requests.length = 0;
    const res = (await client('single').get('/cluster/resources')) as { type: string }[];
    assert.ok(res.some((r) => r.type === 'qemu'));
    assert.equal(sim.requests.length, 3);
    assert.deepEqual(sleeps, [250, 500]);
    await withFault({ remote: 'single', node: 'pve-edge' }, { kind: 'http', status: 503, times: 2 }, async () => {
      sim.requests.length = 0;
      await rejectsWith(client('single').post('/nodes/pve-edge/qemu/106/status/start'), 'remote_error');
      assert.equal(sim.requests.length, 1);
    });
  });

  test("the remote's 401/403/500 become remote_auth_failed / remote_forbidden / remote_error with its reason", async () => {
    const tok = credential(remote('prod-cluster')) as { kind: 'token'; tokenid: string; secret: string };
    await rejectsWith(client('prod-cluster', { credential: { ...tok, secret: '00000000-0000-0000-0000-000000000000' } }).get('/version'), 'remote_auth_failed');
    const limited = client('prod-cluster', { credential: credential(remote('prod-cluster'), 'customer-a') });
    const e = await rejectsWith(limited.post('/nodes/pve-prod-1/qemu/121/status/start'), 'remote_forbidden');
    assert.match(e.message, /\/vms\/121, VM\.PowerMgmt/);
    assert.match((await rejectsWith(client('prod-cluster').post('/nodes/pve-prod-1/lxc/107/status/start'), 'remote_error')).message, /CT 107 already running/);
  });

  test('password credentials log in for a ticket, send cookie (+ CSRF on writes), and log in again when the ticket is refused', async () => {
    const principal = sim.world.remote('single')!.principals.find((p) => p.kind === 'password')!;
    principal.secret = 'pa ss&word';
    const logins = () => sim.requests.filter((r) => r.path === '/api2/json/access/ticket').length;
    sim.requests.length = 0;
    const c = client('single', { credential: { kind: 'password', username: principal.authid, password: 'pa ss&word' } });
    assert.ok(Array.isArray(await c.get('/nodes')));
    assert.match(String(await c.post('/nodes/pve-edge/apt/update')), /^UPID:pve-edge:.*:aptupdate::root@pam:$/);
    assert.equal(logins(), 1);
    const [, get, post] = sim.requests;
    assert.match(String(get!.headers.cookie), /^PVEAuthCookie=PVE%3Aroot%40pam%3A/);
    assert.equal(get!.headers.authorization, undefined);
    assert.ok(post!.headers.csrfpreventiontoken, 'CSRF token on the write');
    // The remote forgets the ticket (restart, expiry): one more login, and the call succeeds.
    await withFault({ remote: 'single', node: 'pve-edge' }, { kind: 'expired-ticket' }, async () => {
      assert.ok(Array.isArray(await c.get('/nodes')));
      assert.equal(logins(), 2);
    });
    const bad = client('single', { credential: { kind: 'password', username: principal.authid, password: 'wrong' } });
    await rejectsWith(bad.get('/nodes'), 'remote_auth_failed');
  });

  test('tickets are renewed before they expire (injectable clock)', async () => {
    let now = Date.now();
    const logins = () => sim.requests.filter((r) => r.path === '/api2/json/access/ticket').length;
    sim.requests.length = 0;
    const c = client('lab', { credential: credential(remote('lab'), 'root-password') }, { now: () => now });
    await c.get('/nodes');
    now += 60 * 60_000;
    await c.get('/nodes');
    assert.equal(logins(), 1);
    now += 31 * 60_000;
    await c.get('/nodes');
    assert.equal(logins(), 2);
  });

  test('per-remote concurrency limit and keep-alive', async () => {
    const target = { remote: 'lab', node: 'lab-2' };
    const n = remote('lab').nodes[1]!;
    await withFault(target, { kind: 'slow', ms: 30 }, async () => {
      const before = sim.stats(target).connections;
      sim.resetStats();
      const c = client('lab', { endpoints: [{ host: n.host, port: n.port, fingerprint: n.fingerprint }] }, { concurrency: 3 });
      await Promise.all(Array.from({ length: 12 }, () => c.get('/version')));
      assert.equal(sim.stats(target).maxInFlight, 3);
      const opened = sim.stats(target).connections - before;
      assert.ok(opened <= 3, `connections reused (opened ${opened})`);
    });
  });

  test('an idle connection is closed by Steward before the remote would, never one in use', async () => {
    const target = { remote: 'lab', node: 'lab-2' };
    const n = remote('lab').nodes[1]!;
    const c = client('lab', { endpoints: [{ host: n.host, port: n.port, fingerprint: n.fingerprint }] }, { idleMs: 150 });
    const opened = async (run: () => Promise<unknown>) => {
      const before = sim.stats(target).connections;
      await run();
      return sim.stats(target).connections - before;
    };
    assert.equal(await opened(() => c.get('/version')), 1);
    assert.equal(await opened(() => c.get('/version')), 0, 'reused while fresh');
    // The simulator keeps idle connections for 5 s, like pveproxy: a new one now is our doing.
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await opened(() => c.get('/version')), 1, 'closed after 150 ms idle');
    await withFault(target, { kind: 'slow', ms: 400 }, async () => {
      assert.equal(await opened(() => c.get('/version')), 0, 'an answer slower than the idle time arrives on the same connection');
    });
  });

  test('closeIdle (the end of a refresh) closes the idle connections, never one in use', async () => {
    const target = { remote: 'lab', node: 'lab-2' };
    const n = remote('lab').nodes[1]!;
    const c = client('lab', { endpoints: [{ host: n.host, port: n.port, fingerprint: n.fingerprint }] });
    const opened = async (run: () => Promise<unknown>) => {
      const before = sim.stats(target).connections;
      await run();
      return sim.stats(target).connections - before;
    };
    assert.equal(await opened(() => c.get('/version')), 1);
    await withFault(target, { kind: 'slow', ms: 300 }, async () => {
      assert.equal(await opened(async () => {
        const slow = c.get('/version');
        await new Promise((r) => setTimeout(r, 50));
        c.closeIdle();
        assert.ok(await slow, 'the answer under way arrives');
      }), 0);
    });
    assert.equal(await opened(() => c.get('/version')), 0, 'the connection that was in use is kept');
    c.closeIdle();
    assert.equal(await opened(() => c.get('/version')), 1, 'an idle one is closed');
  });

  test('the remote closes its idle connections: the next read goes again on a new connection, once; a change always goes on its own', async () => {
    const target = { remote: 'single', node: 'pve-edge' };
    const n = remote('single').nodes[0]!;
    const aptUpdates = () => sim.world.tasks.list(sim.world.remote('single')!).filter((t) => t.type === 'aptupdate').length;
    // The situation: a plain keep-alive agent sends on the connection the remote has just
    // closed, and its request is cut off before any answer.
    const plain = new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
    const plainGet = () => new Promise<string>((resolve) => {
      const req = https.request({ agent: plain, host: n.host, port: n.port, path: '/' }, (res) => res.resume().on('end', () => resolve(String(res.statusCode))));
      req.on('error', (err: NodeJS.ErrnoException) => resolve(`${err.code} on a reused connection: ${req.reusedSocket}`));
      req.end();
    });
    assert.equal(await plainGet(), '200');
    sim.closeIdleConnections(target);
    assert.equal(await plainGet(), 'ECONNRESET on a reused connection: true');
    plain.destroy();

    // Steward's client: no retries configured, yet the request goes through, at once (no back-off).
    const c = client('single', {}, { retries: 0 });
    await c.get('/version');
    for (const [method, call] of [['GET', () => c.get('/nodes')], ['POST', () => c.post('/nodes/pve-edge/apt/update')]] as const) {
      const connections = sim.stats(target).connections;
      const tasks = aptUpdates();
      sleeps.length = 0;
      sim.requests.length = 0;
      sim.closeIdleConnections(target);
      assert.ok(await call(), method);
      assert.deepEqual(sim.requests.map((r) => r.method), [method], `the remote read the ${method} exactly once`);
      assert.equal(sim.stats(target).connections - connections, 1, 'on one new connection');
      assert.deepEqual(sleeps, []);
      assert.equal(aptUpdates() - tasks, method === 'POST' ? 1 : 0, 'one apt update task started');
    }
  });

  test('a POST goes on a new connection of its own and is never sent again, whatever becomes of its answer', async () => {
    const target = { remote: 'single', node: 'pve-edge' };
    const c = client('single');
    await c.get('/version');
    const posts = () => sim.requests.filter((r) => r.method === 'POST').length;
    // Not on the kept-alive connection the GET left: a new one.
    const before = sim.stats(target).connections;
    await c.post('/nodes/pve-edge/apt/update');
    assert.equal(sim.stats(target).connections - before, 1);
    await c.get('/version');
    assert.equal(sim.stats(target).connections - before, 1, 'reads keep using the kept-alive one');
    // The answer breaks off after its first bytes (on the reused connection).
    await withFault(target, { kind: 'truncated', times: 1 }, async () => {
      sim.requests.length = 0;
      await rejectsWith(c.post('/nodes/pve-edge/apt/update'), 'remote_error');
      assert.equal(posts(), 1);
    });
    // No answer in time.
    await withFault(target, { kind: 'slow', ms: 300 }, async () => {
      sim.requests.length = 0;
      await rejectsWith(client('single', {}, { timeoutMs: 100 }).post('/nodes/pve-edge/apt/update'), 'timeout');
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(posts(), 1);
    });
  });

  test('a silent remote times out', async () => {
    await withFault({ remote: 'lab', node: 'lab-2' }, { kind: 'slow', ms: 500 }, async () => {
      const n = remote('lab').nodes[1]!;
      await rejectsWith(client('lab', { endpoints: [{ host: n.host, port: n.port, fingerprint: n.fingerprint }] }, { timeoutMs: 100, retries: 0 }).get('/version'), 'timeout');
    });
  });
});

describe('answer bytes', () => {
  const chunks = ['{"data":', '[1,2', ',3]}'].map((s) => Buffer.from(s));
  const whole = Buffer.concat(chunks);
  test('with a Content-Length, without one, and with more than it announced: the same bytes, in order', () => {
    for (const length of [whole.length, Number.NaN, 3, whole.length + 10]) {
      const b = new BodyBuffer(length, 1024);
      for (const c of chunks) b.push(c);
      assert.deepEqual(b.bytes(), whole, `length ${length}`);
    }
  });
  test('an announced length above the limit allocates nothing up front', () => {
    const b = new BodyBuffer(2 ** 40, 1024);
    b.push(chunks[0]!);
    assert.deepEqual(b.bytes(), chunks[0]);
  });
  test('a remote announcing a huge answer and sending a few bytes reserves no memory for it', () => {
    const before = process.memoryUsage().arrayBuffers;
    const held = Array.from({ length: 8 }, () => {
      const b = new BodyBuffer(250 * 2 ** 20, DEFAULT_CLIENT_OPTIONS.maxResponseBytes);
      b.push(Buffer.from('{"data":['));
      return b;
    });
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 2 ** 20, `${held.length} answers reserved ${((process.memoryUsage().arrayBuffers - before) / 2 ** 20).toFixed(0)} MB`);
  });
});
