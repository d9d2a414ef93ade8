// The honesty check: for every endpoint the simulator serves, representative requests whose
// parameters must pass the schema extract, and answers whose `data` must pass it too —
// required fields present, types/enums/formats/ranges right, no field the schema does not know
// unless listed (with its reason) in schema/undocumented.ts. Every served operation must be
// exercised here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim } from './index.ts';
import type { Observed, Sim } from './index.ts';
import { SimClient } from './testing.ts';
import { allOperationKeys } from './routes.ts';
import { checkRequest } from './schema/check-request.ts';
import type { Product } from './types.ts';

let sim: Sim;
const observed: Observed[] = [];

before(async () => {
  sim = await startSim({ scenario: 'demo', taskSpeed: 1000, observe: (o) => observed.push(o) });
});
after(() => sim.close());

type Req = [method: 'GET' | 'POST' | 'DELETE', path: string, params?: Record<string, string | number | boolean>];

async function run(remoteId: string, product: Product, reqs: Req[], credential?: string): Promise<void> {
  const c = new SimClient(sim.remotes.find((r) => r.id === remoteId)!, credential ? { credential } : {});
  for (const [method, path, params] of reqs) {
    assert.deepEqual(checkRequest(product, method, path, params), [], `${method} ${path}: request does not pass the extract`);
    const r = method === 'GET' ? await c.get(path, params) : method === 'POST' ? await c.post(path, params) : await c.delete(path);
    assert.equal(r.status, 200, `${method} ${path} ${JSON.stringify(params ?? {})}: ${r.status} ${r.reason} ${r.text.slice(0, 200)}`);
  }
}

const settle = () => new Promise((r) => setTimeout(r, 60));

test('PVE: every served operation answers as its schema says', async () => {
  const n = 'pve-prod-1';
  const ticket = (await new SimClient(sim.remotes.find((r) => r.id === 'prod-cluster')!, { anonymous: true }).post('/access/ticket', { username: 'root@pam', password: sim.remotes.find((r) => r.id === 'prod-cluster')!.credentials.find((c) => c.kind === 'password')!.kind === 'password' ? (sim.remotes.find((r) => r.id === 'prod-cluster')!.credentials.find((c) => c.kind === 'password') as { password: string }).password : '' }));
  assert.equal(ticket.status, 200);
  const reqs: Req[] = [
    ['GET', '/version'],
    ['GET', '/cluster/status'],
    ['GET', '/cluster/resources'],
    ...(['vm', 'storage', 'node', 'sdn'] as const).map((type): Req => ['GET', '/cluster/resources', { type }]),
    ['GET', '/cluster/tasks'],
    ['GET', '/cluster/backup'],
    ['GET', '/cluster/backup-info/not-backed-up'],
    ['GET', '/pools'],
    ['GET', '/pools', { poolid: 'customer-a' }],
    ['GET', '/pools', { poolid: 'infra', type: 'qemu' }],
    ['GET', '/nodes'],
    ['GET', '/access/permissions'],
    ['GET', '/access/permissions', { path: '/vms' }],
    ['GET', `/nodes/${n}/status`],
    ['GET', `/nodes/${n}/subscription`],
    ['GET', `/nodes/pve-prod-3/apt/update`],
    ['GET', `/nodes/${n}/apt/repositories`],
    ['GET', `/nodes/${n}/certificates/info`],
    ...(['hour', 'day', 'week', 'month', 'year', 'decade'] as const).map((timeframe): Req => ['GET', `/nodes/${n}/rrddata`, { timeframe, cf: 'AVERAGE' }]),
    ['GET', `/nodes/${n}/rrddata`, { timeframe: 'hour', cf: 'MAX' }],
    ['GET', `/nodes/${n}/storage`],
    ['GET', `/nodes/${n}/storage`, { content: 'backup', enabled: 1 }],
    ['GET', `/nodes/${n}/storage/local-zfs/status`],
    ...(['hour', 'week'] as const).map((timeframe): Req => ['GET', `/nodes/${n}/storage/local-zfs/rrddata`, { timeframe, cf: 'AVERAGE' }]),
    ['GET', `/nodes/${n}/storage/ceph-vm/rrddata`, { timeframe: 'day', cf: 'MAX' }],
    ['GET', `/nodes/${n}/storage/pbs-prod/content`, { content: 'backup' }],
    ['GET', `/nodes/${n}/storage/pbs-prod/content`, { content: 'backup', vmid: 100 }],
    ['GET', `/nodes/${n}/storage/local/content`, { content: 'backup' }],
    ['GET', `/nodes/${n}/storage/ceph-vm/content`],
    ['GET', `/nodes/${n}/tasks`],
    ['GET', `/nodes/${n}/tasks`, { source: 'all', limit: 5, start: 1, errors: 0, vmid: 100, typefilter: 'qmstart', statusfilter: 'ok,error', since: 0, until: 4_000_000_000, userfilter: 'root' }],
    ['GET', `/nodes/${n}/qemu`],
    ['GET', `/nodes/${n}/qemu`, { full: 1 }],
    ['GET', `/nodes/${n}/lxc`],
    ['GET', `/nodes/${n}/qemu/100/status/current`],
    ['GET', `/nodes/${n}/qemu/121/status/current`],
    ['GET', `/nodes/${n}/qemu/9000/status/current`],
    ['GET', `/nodes/${n}/lxc/107/status/current`],
    ['GET', `/nodes/${n}/qemu/100/config`],
    ['GET', `/nodes/${n}/qemu/121/config`],
    ['GET', `/nodes/pve-prod-2/qemu/112/config`],
    ['GET', `/nodes/${n}/lxc/107/config`],
    ['GET', `/nodes/${n}/qemu/103/migrate`],
    ['GET', `/nodes/${n}/qemu/100/migrate`, { target: 'pve-prod-2' }],
    ['GET', `/nodes/${n}/lxc/107/migrate`],
    ['GET', `/nodes/${n}/qemu/100/rrddata`, { timeframe: 'hour' }],
    ['GET', `/nodes/${n}/qemu/121/rrddata`, { timeframe: 'week', cf: 'MAX' }],
    ['GET', `/nodes/${n}/lxc/107/rrddata`, { timeframe: 'day' }],
  ];
  await run('prod-cluster', 'pve', reqs);
  // Actions, then the task endpoints on what they started.
  const c = new SimClient(sim.remotes.find((r) => r.id === 'prod-cluster')!);
  const upids: string[] = [];
  for (const [path, params] of [
    [`/nodes/${n}/qemu/121/status/start`, {}],
    [`/nodes/${n}/qemu/100/status/reboot`, {}],
    [`/nodes/${n}/qemu/106/status/shutdown`, { timeout: 30, forceStop: 1 }],
    [`/nodes/${n}/qemu/111/status/stop`, {}],
    [`/nodes/${n}/lxc/107/status/reboot`, {}],
    [`/nodes/${n}/lxc/203/status/shutdown`, {}],
    [`/nodes/pve-prod-2/lxc/108/status/stop`, {}],
    [`/nodes/${n}/apt/update`, {}],
    [`/nodes/${n}/qemu/114/migrate`, { target: 'pve-prod-2', online: 1 }],
    [`/nodes/pve-prod-3/lxc/110/migrate`, { target: 'pve-prod-1', restart: 1 }],
  ] as [string, Record<string, string | number>][]) {
    assert.deepEqual(checkRequest('pve', 'POST', path, params), []);
    const r = await c.post(path, params);
    assert.equal(r.status, 200, `${path}: ${r.status} ${r.reason}`);
    assert.match(String(r.data), /^UPID:/);
    upids.push(String(r.data));
  }
  await settle();
  await run('prod-cluster', 'pve', [
    ['POST', `/nodes/pve-prod-2/lxc/108/status/start`],
    ...upids.flatMap((u): Req[] => [
      ['GET', `/nodes/${u.split(':')[1]}/tasks/${encodeURIComponent(u)}/status`],
      ['GET', `/nodes/${u.split(':')[1]}/tasks/${encodeURIComponent(u)}/log`, { start: 0, limit: 10 }],
    ]),
  ]);
  // A running task to stop.
  const long = await c.post(`/nodes/${n}/qemu/119/migrate`, { target: 'pve-prod-2' });
  assert.equal(long.status, 500); // running, not --online: refused before a task exists
  const slow = await c.post(`/nodes/pve-prod-3/qemu/105/migrate`, { target: 'pve-prod-1', online: 1 });
  await run('prod-cluster', 'pve', [['DELETE', `/nodes/pve-prod-3/tasks/${encodeURIComponent(String(slow.data))}`]]);
  // Remote migration to the lab cluster, by token.
  const lab = sim.remotes.find((r) => r.id === 'lab')!;
  const labToken = lab.credentials.find((x) => x.kind === 'token')!;
  const endpoint = `host=${lab.nodes[0]!.host},port=${lab.nodes[0]!.port},apitoken=PVEAPIToken=${labToken.kind === 'token' ? `${labToken.tokenid}=${labToken.secret}` : ''},fingerprint=${lab.nodes[0]!.fingerprint}`;
  await run('prod-cluster', 'pve', [
    ['POST', `/nodes/pve-prod-1/qemu/121/remote_migrate`, { 'target-endpoint': endpoint, 'target-storage': 'local-lvm', 'target-bridge': 'vmbr0', 'target-vmid': 500, online: 1 }],
    ['POST', `/nodes/pve-prod-2/lxc/204/remote_migrate`.replace('lxc/204', 'qemu/204'), { 'target-endpoint': endpoint, 'target-storage': 'nfs-vm', 'target-bridge': 'vmbr0', 'target-vmid': 501 }],
    ['POST', `/nodes/pve-prod-1/lxc/203/remote_migrate`, { 'target-endpoint': endpoint, 'target-storage': 'nfs-vm', 'target-bridge': 'vmbr0', 'target-vmid': 502, restart: 1 }],
  ]);
  // Ticket login answers are checked too; the ticket works for reads.
  const withTicket = new SimClient(sim.remotes.find((r) => r.id === 'prod-cluster')!, { anonymous: true, headers: { cookie: `PVEAuthCookie=${encodeURIComponent(String((ticket.data as { ticket: string }).ticket))}` } });
  assert.equal((await withTicket.get('/cluster/resources')).status, 200);
});

test('PBS: every served operation answers as its schema says', async () => {
  const pbs = sim.remotes.find((r) => r.id === 'backup')!;
  const password = (pbs.credentials.find((c) => c.kind === 'password') as { password: string }).password;
  const login = await new SimClient(pbs, { anonymous: true }).post('/access/ticket', { username: 'root@pam', password });
  assert.equal(login.status, 200);
  const reqs: Req[] = [
    ['GET', '/version'],
    ['GET', '/nodes/localhost/status'],
    ['GET', '/nodes/pbs-backup-01/status'],
    ['GET', '/nodes/localhost/subscription'],
    ['GET', '/nodes/localhost/apt/update'],
    ['GET', '/nodes/localhost/apt/repositories'],
    ...(['hour', 'day', 'week', 'month', 'year', 'decade'] as const).map((timeframe): Req => ['GET', '/nodes/localhost/rrd', { timeframe, cf: 'AVERAGE' }]),
    ['GET', '/nodes/localhost/rrd', { timeframe: 'day', cf: 'MAX' }],
    ['GET', '/nodes/localhost/tasks'],
    ['GET', '/nodes/localhost/tasks', { limit: 5, start: 2, errors: true, typefilter: 'garbage', store: 'lab', since: 0 }],
    ['GET', '/nodes/localhost/tasks', { running: false, userfilter: 'root@pam' }],
    ['GET', '/admin/datastore'],
    ['GET', '/admin/datastore/prod/status'],
    ['GET', '/admin/datastore/lab/status', { verbose: true }],
    ['GET', '/admin/datastore/prod/groups'],
    ['GET', '/admin/datastore/prod/snapshots'],
    ['GET', '/admin/datastore/lab/snapshots', { ns: 'lab', 'backup-type': 'vm', 'backup-id': '100' }],
    ['GET', '/admin/datastore/prod/namespace'],
    ['GET', '/admin/datastore/lab/namespace', { 'max-depth': 3 }],
    ['GET', '/admin/datastore/lab/namespace', { parent: 'lab', 'max-depth': 0 }],
    ['GET', '/admin/datastore/lab/groups', { ns: 'lab' }],
    ...(['hour', 'day', 'week', 'month', 'year', 'decade'] as const).map((timeframe): Req => ['GET', '/admin/datastore/prod/rrd', { timeframe, cf: 'AVERAGE' }]),
    ['GET', '/status/datastore-usage'],
    ['GET', '/admin/gc'],
    ['GET', '/admin/gc', { store: 'lab' }],
    ['GET', '/admin/datastore/lab/gc'],
    ['GET', '/admin/verify'],
    ['GET', '/admin/prune'],
    ['GET', '/admin/sync'],
    ['GET', '/admin/sync', { store: 'prod', 'sync-direction': 'pull' }],
    ['GET', '/access/permissions'],
  ];
  await run('backup', 'pbs', reqs);
  const c = new SimClient(pbs);
  const upd = await c.post('/nodes/localhost/apt/update');
  assert.equal(upd.status, 200);
  const upid = encodeURIComponent(String(upd.data));
  await run('backup', 'pbs', [
    ['GET', `/nodes/localhost/tasks/${upid}/status`],
    ['GET', `/nodes/localhost/tasks/${upid}/log`, { start: 0, limit: 100 }],
    ['DELETE', `/nodes/localhost/tasks/${upid}`],
  ]);
  const u2 = (await c.get('/nodes/localhost/tasks', { limit: 1, typefilter: 'verificationjob' })).data as { upid: string }[];
  await run('backup', 'pbs', [['GET', `/nodes/localhost/tasks/${encodeURIComponent(u2[0]!.upid)}/log`], ['GET', `/nodes/localhost/tasks/${encodeURIComponent(u2[0]!.upid)}/status`]]);
  await run('backup', 'pbs', [['GET', '/admin/datastore'], ['GET', '/status/datastore-usage']], 'auditor');
});

test('no answer broke the schema, and every served operation was exercised', () => {
  const problems = [...new Set(observed.flatMap((o) => o.problems.map((p) => `${o.key} ${p.at.replace(/\[\d+\]/g, '[]')}: ${p.message.replace(/got .*/, 'got …')}`)))];
  assert.deepEqual(problems, []);
  const seen = new Set(observed.filter((o) => o.status === 200).map((o) => o.key));
  const missing = allOperationKeys().filter((k) => !seen.has(k));
  assert.deepEqual(missing, [], 'operations without a representative request');
});
