// Every fault mode, set in process and through the control endpoint: what a client sees and
// what the rest of the cluster reports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { startSim } from './index.ts';
import type { Fault, Sim, SimRemote } from './index.ts';
import { SimClient } from './testing.ts';

let sim: Sim;
let prod: SimRemote;
before(async () => {
  sim = await startSim({ scenario: 'demo', taskSpeed: 500 });
  prod = sim.remotes.find((r) => r.id === 'prod-cluster')!;
});
after(() => sim.close());

/** Sets a fault on pve-prod-2, or (node null) on the whole remote. */
async function fault(f: Fault | null, node: string | null = 'pve-prod-2'): Promise<void> {
  sim.setFault({ remote: 'prod-cluster', ...(node ? { node } : {}) }, f);
  await sim.settled();
}

/** One raw request: resolves with how it ended (status, complete body or not, error code). */
function raw(remote: SimRemote, node: number, path = '/version'): Promise<{ status?: number; reason?: string; text?: string; complete?: boolean; error?: string; fingerprint?: string; date?: string; ms: number }> {
  const t0 = Date.now();
  const n = remote.nodes[node]!;
  const c = remote.credentials[0] as { tokenid: string; secret: string };
  return new Promise((resolve) => {
    const req = https.request({ host: n.host, port: n.port, path: `/api2/json${path}`, rejectUnauthorized: false, agent: false, headers: { authorization: `PVEAPIToken=${c.tokenid}=${c.secret}` } }, (res) => {
      const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      const done = (error?: string) => resolve({ status: res.statusCode!, reason: res.statusMessage!, text, complete: res.complete, fingerprint, date: String(res.headers.date), ms: Date.now() - t0, ...(error ? { error } : {}) });
      res.on('end', () => done());
      res.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
      res.on('aborted', () => done('aborted'));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message, ms: Date.now() - t0 }));
    req.end();
  });
}

test('down: the node refuses connections, its peers report it offline and its guests unknown; clearing brings it back on the same port', async () => {
  const port = prod.nodes[1]!.port;
  await fault({ kind: 'down' });
  assert.equal((await raw(prod, 1)).error, 'ECONNREFUSED');
  const c = new SimClient(prod);
  const status = (await c.get('/cluster/status')).data as { name?: string; online?: number; quorate?: number; type: string }[];
  assert.equal(status.find((s) => s.name === 'pve-prod-2')!.online, 0);
  assert.equal(status.find((s) => s.type === 'cluster')!.quorate, 1, 'two of three: still quorate');
  const res = (await c.get('/cluster/resources')).data as { id: string; status: string; name?: string; node?: string; type: string }[];
  assert.equal(res.find((r) => r.id === 'node/pve-prod-2')!.status, 'offline');
  const guests = res.filter((r) => (r.type === 'qemu' || r.type === 'lxc') && r.node === 'pve-prod-2');
  assert.ok(guests.length > 0 && guests.every((g) => g.status === 'unknown' && g.name === undefined));
  assert.equal((await c.get('/nodes/pve-prod-2/status')).status, 595);
  await fault(null);
  const back = await raw(prod, 1);
  assert.equal(back.status, 200);
  assert.equal(sim.remotes.find((r) => r.id === 'prod-cluster')!.nodes[1]!.port, port);
});

test('the demo starts with lab-3 down', async () => {
  const lab = sim.remotes.find((r) => r.id === 'lab')!;
  assert.equal((await raw(lab, 2)).error, 'ECONNREFUSED');
  assert.equal((await raw(lab, 0)).status, 200);
});

test('slow: answers come late by the given time', async () => {
  await fault({ kind: 'slow', ms: 300 });
  const r = await raw(prod, 1);
  assert.equal(r.status, 200);
  assert.ok(r.ms >= 290, `${r.ms} ms`);
  await fault(null);
});

test('flapping: connections fail and succeed in turns', async () => {
  await fault({ kind: 'flapping', periodMs: 100 });
  const outcomes = new Set<string>();
  const end = Date.now() + 1500;
  while (Date.now() < end && outcomes.size < 2) {
    const r = await raw(prod, 1);
    outcomes.add(r.status === 200 ? 'ok' : 'failed');
    await new Promise((res) => setTimeout(res, 37));
  }
  assert.deepEqual([...outcomes].sort(), ['failed', 'ok']);
  await fault(null);
});

test('http: every answer is that status with its reason phrase', async () => {
  for (const status of [500, 502, 503] as const) {
    await fault({ kind: 'http', status });
    const r = await raw(prod, 1);
    assert.equal(r.status, status);
  }
  assert.equal((await raw(prod, 1)).reason, 'Service Unavailable');
  assert.equal((await raw(prod, 0)).status, 200, 'the other nodes are fine');
  await fault(null);
});

test('truncated: the body ends early (fewer bytes than Content-Length, connection closed)', async () => {
  await fault({ kind: 'truncated' });
  const r = await raw(prod, 1, '/cluster/resources');
  assert.ok(r.error !== undefined || r.complete === false, JSON.stringify({ ...r, text: r.text?.length }));
  await fault(null);
});

test('malformed: 200 with a body that is not JSON', async () => {
  await fault({ kind: 'malformed' });
  const r = await raw(prod, 1, '/cluster/resources');
  assert.equal(r.status, 200);
  assert.throws(() => JSON.parse(r.text!));
  await fault(null);
});

test('cert-changed: another certificate until cleared; the node reports it in certificates/info', async () => {
  const pinned = prod.nodes[1]!.fingerprint;
  await fault({ kind: 'cert-changed' });
  const r = await raw(prod, 1);
  assert.notEqual(r.fingerprint, pinned);
  const info = (await new SimClient(prod).get('/nodes/pve-prod-2/certificates/info')).data as { filename: string; fingerprint: string }[];
  assert.equal(info.find((c) => c.filename === 'pve-ssl.pem')!.fingerprint, r.fingerprint);
  await fault(null);
  assert.equal((await raw(prod, 1)).fingerprint, pinned);
});

test('expired-ticket: tickets from before the fault get 401, a new login works', async () => {
  const anon = new SimClient(prod, { anonymous: true });
  const pw = (prod.credentials.find((c) => c.kind === 'password') as { password: string }).password;
  const login = async () => `PVEAuthCookie=${encodeURIComponent((((await anon.post('/access/ticket', { username: 'root@pam', password: pw })).data) as { ticket: string }).ticket)}`;
  const old = await login();
  await fault({ kind: 'expired-ticket' }, null);
  const r = await new SimClient(prod, { anonymous: true, headers: { cookie: old } }).get('/version');
  assert.deepEqual([r.status, r.reason], [401, 'permission denied - invalid PVE ticket']);
  const fresh = await login();
  assert.equal((await new SimClient(prod, { anonymous: true, headers: { cookie: fresh } }).get('/version')).status, 200);
  assert.equal((await new SimClient(prod).get('/version')).status, 200, 'tokens are not affected');
  await fault(null, null);
});

test('clock-skew: the node lives in another time (Date header, tasks), and rejects tickets from the others as not yet valid', async () => {
  const pw = (prod.credentials.find((c) => c.kind === 'password') as { password: string }).password;
  const login = await new SimClient(prod, { anonymous: true }).post('/access/ticket', { username: 'root@pam', password: pw });
  const cookie = `PVEAuthCookie=${encodeURIComponent((login.data as { ticket: string }).ticket)}`;
  await fault({ kind: 'clock-skew', seconds: -3600 });
  const r = await raw(prod, 1);
  const skew = (Date.parse(r.date!) - Date.now()) / 1000;
  assert.ok(Math.abs(skew + 3600) < 5, `Date header off by ${skew} s`);
  const viaSkewed = await new SimClient(prod, { anonymous: true, node: 1, headers: { cookie } }).get('/version');
  assert.equal(viaSkewed.status, 401);
  const upid = String((await new SimClient(prod, { node: 1 }).post('/nodes/pve-prod-2/qemu/104/status/reboot')).data);
  const started = parseInt(upid.split(':')[4]!, 16);
  assert.ok(Math.abs(started - (Date.now() / 1000 - 3600)) < 5, 'the task started in the node\'s time');
  await fault(null);
});

test('the control endpoint sets and lists faults over HTTP', async () => {
  const post = (body: unknown) => fetch(`${sim.controlUrl}/fault`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  assert.equal((await post({ remote: 'prod-cluster', node: 'pve-prod-3', fault: { kind: 'down' } })).status, 200);
  assert.equal((await raw(prod, 2)).error, 'ECONNREFUSED');
  const list = (await (await fetch(`${sim.controlUrl}/faults`)).json()) as { data: { remote: string; node?: string; fault: Fault }[] };
  assert.ok(list.data.some((f) => f.node === 'pve-prod-3' && f.fault.kind === 'down'));
  assert.equal((await post({ remote: 'prod-cluster', node: 'pve-prod-3', fault: null })).status, 200);
  assert.equal((await raw(prod, 2)).status, 200);
  assert.equal((await post({ remote: 'prod-cluster', fault: { kind: 'explode' } })).status, 400);
  assert.equal((await post({ remote: 'nowhere', fault: null })).status, 400);
  const remotes = (await (await fetch(`${sim.controlUrl}/remotes`)).json()) as { data: SimRemote[] };
  assert.equal(remotes.data.length, 4);
});

test('a fault on a whole remote reaches every node', async () => {
  await fault({ kind: 'http', status: 502 }, null);
  for (let i = 0; i < 3; i++) assert.equal((await raw(prod, i)).status, 502);
  await fault(null, null);
  for (let i = 0; i < 3; i++) assert.equal((await raw(prod, i)).status, 200);
});
