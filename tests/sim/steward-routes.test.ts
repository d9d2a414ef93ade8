// Steward's API in process (its real routes, poller and remote client) with the demo remotes
// added: every Proxmox request Steward makes on behalf of its own routes — polling, guest
// actions, migration (in the cluster and to another remote), RRD, tasks, PBS datastores,
// jobs and tasks — reaches the simulator, which checks it against the schema extract (400 otherwise)
// and records any answer that breaks the schema. Nothing may be refused, and every operation
// Steward's routes use must have been seen here (its datastore status route answers from the
// poller's cache, so that one sends nothing).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim } from './index.ts';
import { SimClient } from './testing.ts';
import type { Observed, Sim, SimRemote } from './index.ts';
import type { PveState } from './state.ts';
import { call, testDeps } from '../fixtures/api-deps.ts';
import type { TestDeps } from '../fixtures/api-deps.ts';
import { createApp } from '../../daemons/api/app.ts';

let sim: Sim;
let t: TestDeps;
let app: ReturnType<typeof createApp>;
const observed: Observed[] = [];
const ADMIN = 'root@steward';

const remote = (id: string) => sim.remotes.find((r) => r.id === id)!;
const pveOf = (id: string) => sim.world.remote(id) as PveState;

async function addRemote(r: SimRemote): Promise<void> {
  const credentials = r.credentials
    .filter((c) => c.kind === 'token' && !c.limited)
    .map((c) => (c.kind === 'token' ? { name: c.name, kind: 'token', tokenid: c.tokenid, secret: c.secret } : null));
  const res = await call(app, ADMIN, 'POST', '/remotes', { id: r.id, type: r.type, endpoints: r.nodes.map((n) => ({ host: n.host, port: n.port, fingerprint: n.fingerprint })), credentials });
  assert.equal(res.status, 201, JSON.stringify(res.body));
}

before(async () => {
  sim = await startSim({ scenario: 'demo', taskSpeed: 1000, observe: (o) => observed.push(o) });
  t = await testDeps({ clientOptions: { timeoutMs: 5000, connectTimeoutMs: 2000 } });
  app = createApp(t.deps);
  for (const id of ['prod-cluster', 'lab', 'backup']) await addRemote(remote(id));
  // The slower items (updates, subscription, backups) too, as the poller fetches them on its slow turn.
  for (const id of ['prod-cluster', 'lab', 'backup']) await t.deps.remotes.poller.refresh(id, { slow: true });
});
after(async () => {
  await t.close();
  await sim.close();
});

/** Polls Steward's task status route until the remote task has ended. */
async function finished(remoteId: string, upid: string): Promise<Record<string, unknown>> {
  const path = `/pve/remotes/${remoteId}/tasks/${encodeURIComponent(upid.replace(/^[^!]+!/, ''))}/status`;
  for (let i = 0; i < 200; i++) {
    const r = await call(app, ADMIN, 'GET', path);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    if (r.body.data.status === 'stopped') return r.body.data as Record<string, unknown>;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error(`task ${upid} did not end`);
}

const ok = async (method: string, path: string, body?: unknown) => {
  const r = await call(app, ADMIN, method, path, body);
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body.data;
};

test("Steward's routes drive the simulated PVE clusters: reads, actions, tasks, migration", async () => {
  const prod = pveOf('prod-cluster');
  const running = [...prod.guests.values()].find((g) => g.type === 'qemu' && g.status === 'running' && !g.lock && !g.template && g.localResources.length === 0 && !g.ha)!;
  const stopped = [...prod.guests.values()].find((g) => g.type === 'qemu' && g.status === 'stopped' && !g.lock && !g.template)!;
  const ct = [...prod.guests.values()].find((g) => g.type === 'lxc' && !g.lock)!;
  const node = running.node;

  assert.equal((await ok('GET', `/pve/remotes/prod-cluster/qemu/${running.vmid}/status`)).status, 'running');
  assert.ok(await ok('GET', `/pve/remotes/prod-cluster/qemu/${running.vmid}/config`));
  assert.ok(await ok('GET', `/pve/remotes/prod-cluster/lxc/${ct.vmid}/status`));
  assert.ok(await ok('GET', `/pve/remotes/prod-cluster/lxc/${ct.vmid}/config`));
  assert.ok(((await ok('GET', `/pve/remotes/prod-cluster/qemu/${running.vmid}/rrddata?timeframe=day&cf=MAX`)) as unknown[]).length > 0);
  assert.ok(((await ok('GET', `/pve/remotes/prod-cluster/lxc/${ct.vmid}/rrddata`)) as unknown[]).length > 0);
  assert.ok(await ok('GET', `/pve/remotes/prod-cluster/nodes/${node}/status`));
  assert.ok(((await ok('GET', `/pve/remotes/prod-cluster/nodes/${node}/rrddata?timeframe=week`)) as unknown[]).length > 0);
  // A storage's history comes from the node's storage RRD: the same used/total at the same times.
  const theirs = (await new SimClient(sim.remotes.find((r) => r.id === 'prod-cluster')!, { credential: 'steward' }).get(`/nodes/${node}/storage/local-zfs/rrddata`, { timeframe: 'day' })).data as { time: number; used?: number; total?: number }[];
  const mine = (await ok('GET', `/pve/remotes/prod-cluster/nodes/${node}/storage/local-zfs/rrddata?timeframe=day`)) as { time: number; used?: number; total?: number }[];
  const withFigures = mine.filter((p) => p.used !== undefined);
  assert.ok(withFigures.length >= 24, `a day of storage history (${withFigures.length} points)`);
  for (const p of withFigures.slice(0, 10)) {
    const t = theirs.find((x) => x.time <= p.time && p.time < x.time + 1800)!;
    // Stored as 32-bit floats: equal to a millionth.
    for (const f of ['used', 'total'] as const) assert.ok(Math.abs(p[f]! - t[f]!) <= t[f]! * 1e-6, `${f} at ${p.time}: ${p[f]} vs ${t[f]}`);
  }
  await ok('GET', `/pve/remotes/prod-cluster/nodes/${node}/tasks?limit=20&errors=1`);
  await ok('GET', `/pve/remotes/lab/nodes/lab-1/subscription`);
  await ok('GET', `/pve/remotes/lab/nodes/lab-1/apt`);

  // Start a stopped VM, follow its task through Steward, read its log; the guest runs.
  const upid = String(await ok('POST', `/pve/remotes/prod-cluster/qemu/${stopped.vmid}/start`, {}));
  assert.equal((await finished('prod-cluster', upid)).exitstatus, 'OK');
  assert.equal(prod.guests.get(stopped.vmid)!.status, 'running');
  const log = (await ok('GET', `/pve/remotes/prod-cluster/tasks/${encodeURIComponent(upid.replace(/^[^!]+!/, ''))}/log?limit=100`)) as { t: string }[];
  assert.equal(log.at(-1)?.t, 'TASK OK');
  // Starting it again fails in the task, as on PVE.
  const again = String(await ok('POST', `/pve/remotes/prod-cluster/qemu/${stopped.vmid}/start`, {}));
  assert.match(String((await finished('prod-cluster', again)).exitstatus), /already running/);
  for (const action of ['reboot', 'shutdown', 'stop'] as const) {
    const u = String(await ok('POST', `/pve/remotes/prod-cluster/qemu/${stopped.vmid}/${action}`, action === 'shutdown' ? { timeout: 30, forceStop: 1 } : {}));
    await finished('prod-cluster', u);
  }
  assert.equal(prod.guests.get(stopped.vmid)!.status, 'stopped');

  // A long task stopped through Steward.
  const slow = String(await ok('POST', `/pve/remotes/prod-cluster/lxc/${ct.vmid}/${ct.status === 'running' ? 'shutdown' : 'start'}`, {}));
  await ok('DELETE', `/pve/remotes/prod-cluster/tasks/${encodeURIComponent(slow.replace(/^[^!]+!/, ''))}`);

  // Live migration inside the cluster (Steward reads the preconditions first).
  const target = prod.nodes.find((n) => n.name !== running.node && !n.fault)!.name;
  const mig = String(await ok('POST', `/pve/remotes/prod-cluster/qemu/${running.vmid}/migrate`, { target, online: 1 }));
  assert.equal((await finished('prod-cluster', mig)).exitstatus, 'OK');
  assert.equal(prod.guests.get(running.vmid)!.node, target);

  // Migration to another remote: Steward hands the source the target's endpoint and token.
  const lab = pveOf('lab');
  const labStorage = lab.storages.find((s) => s.content.includes('images') && !s.pbs)!;
  const moving = [...prod.guests.values()].find((g) => g.type === 'qemu' && g.status === 'stopped' && !g.lock && !g.template && g.localResources.length === 0 && g.vmid !== stopped.vmid)!;
  const rm = String(await ok('POST', `/pve/remotes/prod-cluster/qemu/${moving.vmid}/remote-migrate`, { target: 'lab', 'target-storage': labStorage.id, 'target-bridge': 'vmbr0', 'target-vmid': 4321, delete: 1 }));
  assert.equal((await finished('prod-cluster', rm)).exitstatus, 'OK');
  assert.ok(lab.guests.has(4321), 'the guest arrived on the other cluster');
  assert.ok(!prod.guests.has(moving.vmid), 'and left the source (delete=1)');

  await ok('GET', '/remotes/tasks');
  await t.deps.remotes.poller.refreshAll();
});

test("Steward's routes read the simulated PBS: node, datastores, snapshots, RRD, jobs", async () => {
  await ok('GET', '/pbs/remotes/backup/nodes/localhost/status');
  await ok('GET', '/pbs/remotes/backup/nodes/localhost/tasks?limit=10');
  await ok('GET', '/pbs/remotes/backup/nodes/localhost/apt');
  for (const store of ['prod', 'lab']) {
    await ok('GET', `/pbs/remotes/backup/datastore/${store}/status`);
    assert.ok(((await ok('GET', `/pbs/remotes/backup/datastore/${store}/rrddata?timeframe=month`)) as unknown[]).length > 0);
  }
  assert.ok(((await ok('GET', '/pbs/remotes/backup/datastore/prod/snapshots')) as unknown[]).length > 0);
  await ok('GET', '/pbs/remotes/backup/datastore/prod/snapshots?backup-type=vm');
  await ok('GET', '/pbs/remotes/backup/jobs');
  // A task on the host, followed and stopped through Steward.
  const pbs = sim.world.remote('backup')!;
  const task = sim.world.tasks.start({ remote: pbs, node: pbs.nodes[0]!.name, type: 'verify', id: 'prod', user: 'root@pam', durationMs: 3_600_000 });
  const id = encodeURIComponent(`backup!${task.upid}`);
  assert.equal((await ok('GET', `/pbs/remotes/backup/tasks/${id}/status`) as { status: string }).status, 'running');
  await ok('GET', `/pbs/remotes/backup/tasks/${id}/log?start=0&limit=50`);
  await ok('DELETE', `/pbs/remotes/backup/tasks/${id}`);
});

test("Steward's backups view reads the simulated jobs, unprotected guests and PBS groups", async () => {
  const data = (await ok('GET', '/resources/backups')) as { remotes: { remote: string; errors: unknown[]; jobs?: unknown[]; 'not-backed-up'?: unknown[]; groups?: unknown[]; 'job-results'?: unknown[] }[] };
  for (const r of data.remotes) assert.deepEqual(r.errors, [], r.remote);
  const of = (id: string) => data.remotes.find((r) => r.remote === id)!;
  assert.ok(of('prod-cluster').jobs!.length > 0 && of('lab')['not-backed-up']!.length > 0);
  assert.ok(of('backup').groups!.length > 0 && of('backup')['job-results']!.length > 0);
});

test('nothing Steward sent was refused, no answer broke the schema, and every operation Steward uses was exercised', () => {
  const refused = observed.filter((o) => o.status === 400).map((o) => `${o.key}: ${JSON.stringify(o).slice(0, 300)}`);
  assert.deepEqual(refused, []);
  assert.deepEqual(observed.flatMap((o) => o.problems.map((p) => `${o.key} ${p.at}: ${p.message}`)), []);
  const seen = new Set(observed.map((o) => o.key));
  const expected = [
    'pve GET /cluster/resources', 'pve GET /cluster/tasks', 'pve GET /nodes/{node}/status', 'pve GET /nodes/{node}/rrddata', 'pve GET /nodes/{node}/storage/{storage}/rrddata', 'pve GET /nodes/{node}/tasks',
    'pve GET /nodes/{node}/subscription', 'pve GET /nodes/{node}/apt/update', 'pve GET /cluster/backup', 'pve GET /cluster/backup-info/not-backed-up',
    'pve GET /nodes/{node}/qemu/{vmid}/status/current', 'pve GET /nodes/{node}/qemu/{vmid}/config', 'pve GET /nodes/{node}/qemu/{vmid}/rrddata',
    'pve GET /nodes/{node}/lxc/{vmid}/status/current', 'pve GET /nodes/{node}/lxc/{vmid}/config', 'pve GET /nodes/{node}/lxc/{vmid}/rrddata',
    'pve POST /nodes/{node}/qemu/{vmid}/status/start', 'pve POST /nodes/{node}/qemu/{vmid}/status/stop', 'pve POST /nodes/{node}/qemu/{vmid}/status/shutdown', 'pve POST /nodes/{node}/qemu/{vmid}/status/reboot',
    'pve GET /nodes/{node}/qemu/{vmid}/migrate', 'pve POST /nodes/{node}/qemu/{vmid}/migrate', 'pve POST /nodes/{node}/qemu/{vmid}/remote_migrate',
    'pve GET /nodes/{node}/tasks/{upid}/status', 'pve GET /nodes/{node}/tasks/{upid}/log', 'pve DELETE /nodes/{node}/tasks/{upid}',
    'pbs GET /nodes/{node}/status', 'pbs GET /nodes/{node}/tasks', 'pbs GET /status/datastore-usage', 'pbs GET /nodes/{node}/apt/update', 'pbs GET /nodes/{node}/subscription',
    'pbs GET /admin/datastore/{store}/rrd', 'pbs GET /admin/datastore/{store}/snapshots', 'pbs GET /admin/datastore/{store}/groups',
    'pbs GET /admin/gc', 'pbs GET /admin/verify', 'pbs GET /admin/prune', 'pbs GET /admin/sync',
    'pbs GET /nodes/{node}/tasks/{upid}/status', 'pbs GET /nodes/{node}/tasks/{upid}/log', 'pbs DELETE /nodes/{node}/tasks/{upid}',
  ];
  assert.deepEqual(expected.filter((k) => !seen.has(k)), [], 'operations Steward uses that no route reached');
});
