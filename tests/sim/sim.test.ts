// The demo scenario end to end over real TLS: every node answers on its own port with its own
// certificate, tokens and tickets work, and the answers pass the schema extract.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim } from './index.ts';
import type { Observed, Sim } from './index.ts';
import { SimClient } from './testing.ts';

let sim: Sim;
const observed: Observed[] = [];

before(async () => {
  sim = await startSim({ scenario: 'demo', taskSpeed: 200, observe: (o) => observed.push(o), recordRequests: true });
});
after(() => sim.close());

test('the demo has 2 clusters of 3 nodes, a standalone node, a PBS, and one host left for the wizard', () => {
  const byId = Object.fromEntries(sim.remotes.map((r) => [r.id, r]));
  assert.deepEqual(Object.keys(byId).sort(), ['backup', 'lab', 'prod-cluster', 'single']);
  assert.equal(byId['prod-cluster']!.nodes.length, 3);
  assert.equal(byId.lab!.nodes.length, 3);
  assert.equal(byId.single!.nodes.length, 1);
  assert.equal(byId.backup!.type, 'pbs');
  assert.deepEqual(sim.remotes.filter((r) => !r.preAdded).map((r) => r.id), ['single']);
  const fps = sim.remotes.flatMap((r) => r.nodes.map((n) => n.fingerprint));
  assert.equal(new Set(fps).size, fps.length, 'every node has its own certificate');
  for (const fp of fps) assert.match(fp, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  const guests = [...sim.world.remotes.values()].reduce((a, r) => a + (r.type === 'pve' ? r.guests.size : 0), 0);
  assert.ok(guests >= 55 && guests <= 65, `about 60 guests (${guests})`);
});

test('each node presents its pinned certificate and answers for the whole cluster', async () => {
  const prod = sim.remotes.find((r) => r.id === 'prod-cluster')!;
  for (let i = 0; i < prod.nodes.length; i++) {
    const c = new SimClient(prod, { node: i });
    const r = await c.get('/cluster/status');
    assert.equal(r.status, 200);
    assert.equal(r.fingerprint, prod.nodes[i]!.fingerprint);
    const local = (r.data as { local?: number; name: string }[]).find((e) => e.local);
    assert.equal(local?.name, prod.nodes[i]!.name);
  }
});

test('every answer of a tour through the API passes the schema extract', async () => {
  observed.length = 0;
  const prod = new SimClient(sim.remotes.find((r) => r.id === 'prod-cluster')!);
  for (const p of ['/version', '/cluster/resources', '/nodes', '/nodes/pve-prod-1/qemu', '/nodes/pve-prod-1/qemu/100/status/current']) {
    assert.equal((await prod.get(p)).status, 200, p);
  }
  const problems = observed.flatMap((o) => o.problems.map((p) => `${o.key} ${p.at}: ${p.message}`));
  assert.deepEqual(problems, []);
});

test('the request log keeps what each node received; stats count connections and peak concurrency', async () => {
  const lab = sim.remotes.find((r) => r.id === 'lab')!;
  sim.requests.length = 0;
  const before = { ...sim.stats({ remote: 'lab', node: 'lab-2' }) };
  sim.resetStats();
  sim.setFault({ remote: 'lab', node: 'lab-2' }, { kind: 'slow', ms: 50 });
  await sim.settled();
  const c = new SimClient(lab, { node: 1 });
  await Promise.all([c.get('/version'), c.get('/version'), c.post('/nodes/lab-2/apt/update', {})]);
  sim.setFault({ remote: 'lab', node: 'lab-2' }, null);
  await sim.settled();
  assert.deepEqual(sim.requests.map((r) => `${r.remote}/${r.node} ${r.method} ${r.path}`).sort(), ['lab/lab-2 GET /api2/json/version', 'lab/lab-2 GET /api2/json/version', 'lab/lab-2 POST /api2/json/nodes/lab-2/apt/update']);
  assert.match(String(sim.requests[0]!.headers.authorization), /^PVEAPIToken=root@pam!steward=/);
  const after = sim.stats({ remote: 'lab', node: 'lab-2' });
  assert.equal(after.requests - before.requests, 3);
  assert.equal(after.connections - before.connections, 3, 'SimClient opens a connection per request');
  assert.equal(after.maxInFlight, 3);
});

test('a transient fault clears itself after the given number of answers', async () => {
  const lab = sim.remotes.find((r) => r.id === 'lab')!;
  const c = new SimClient(lab, { node: 1 });
  sim.setFault({ remote: 'lab', node: 'lab-2' }, { kind: 'http', status: 503, times: 2 });
  await sim.settled();
  assert.deepEqual([(await c.get('/version')).status, (await c.get('/version')).status, (await c.get('/version')).status], [503, 503, 200]);
  sim.setFault({ remote: 'lab' }, { kind: 'malformed', times: 1 });
  sim.setFault({ remote: 'lab', node: 'lab-2' }, { kind: 'http', status: 502, times: 1 });
  await sim.settled();
  const [a, b, d] = [await c.get('/version'), await c.get('/version'), await c.get('/version')];
  assert.deepEqual([a.status, b.status, b.data, d.status], [502, 200, undefined, 200], "the node's own fault first, then the remote's");
  assert.ok(d.data);
});
