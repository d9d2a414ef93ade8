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
  sim = await startSim({ scenario: 'demo', taskSpeed: 200, observe: (o) => observed.push(o) });
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
