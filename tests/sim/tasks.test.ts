// Task life cycle as PVE and PBS run it: UPIDs in the exact format, a worker that runs for a
// while and ends OK or with an error, the state change it causes, logs, lists and stopping.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim } from './index.ts';
import type { Sim } from './index.ts';
import type { PveState } from './state.ts';
import { SimClient, taskLog, waitTask as waitFor } from './testing.ts';

let sim: Sim;
let prod: SimClient;
let lab: SimClient;
// Tasks take their realistic time (a start 3 s), and the test moves the clock past them: no
// race between a busy machine and a task's end.
let skipped = 0;
const now = () => Date.now() + skipped;
const waitTask = (c: SimClient, upid: string) => {
  skipped += 120_000;
  return waitFor(c, upid);
};
before(async () => {
  sim = await startSim({ scenario: 'demo', now });
  prod = new SimClient(sim.remotes.find((r) => r.id === 'prod-cluster')!);
  lab = new SimClient(sim.remotes.find((r) => r.id === 'lab')!);
});
after(() => sim.close());

const PVE_UPID = /^UPID:([a-zA-Z0-9-]+):([0-9A-F]{8}):([0-9A-F]{8}):([0-9A-F]{8}):([a-z]+):([^:]*):([^:]+):$/;

test('starting a stopped VM: a UPID, a running task, then OK and the VM running', async () => {
  const r = await prod.post('/nodes/pve-prod-1/qemu/121/status/start');
  assert.equal(r.status, 200);
  const upid = String(r.data);
  const m = PVE_UPID.exec(upid);
  assert.ok(m, upid);
  assert.deepEqual([m[1], m[5], m[6], m[7]], ['pve-prod-1', 'qmstart', '121', 'root@pam!steward']);
  assert.ok(Math.abs(parseInt(m[4]!, 16) - Date.now() / 1000) < 5, 'start time in the UPID is now');
  const running = (await prod.get(`/nodes/pve-prod-1/tasks/${encodeURIComponent(upid)}/status`)).data as Record<string, unknown>;
  assert.equal(running.status, 'running');
  assert.equal(running.exitstatus, undefined);
  assert.equal(((await prod.get('/nodes/pve-prod-1/qemu/121/status/current')).data as { status: string }).status, 'stopped');
  const active = (await prod.get('/nodes/pve-prod-1/tasks', { source: 'active' })).data as { upid: string }[];
  assert.ok(active.some((t) => t.upid === upid), 'listed among active tasks');
  const archive = (await prod.get('/nodes/pve-prod-1/tasks')).data as { upid: string }[];
  assert.ok(!archive.some((t) => t.upid === upid), 'not in the archive while running');
  const done = await waitTask(prod, upid);
  assert.equal(done.exitstatus, 'OK');
  const vm = (await prod.get('/nodes/pve-prod-1/qemu/121/status/current')).data as { status: string; uptime: number };
  assert.equal(vm.status, 'running');
  assert.ok(vm.uptime < 5);
  const log = await taskLog(prod, upid);
  assert.equal(log.at(-1), 'TASK OK');
  const listed = ((await prod.get('/nodes/pve-prod-1/tasks', { vmid: 121 })).data as { upid: string; status: string; endtime: number }[]).find((t) => t.upid === upid);
  assert.equal(listed?.status, 'OK');
  assert.ok(listed!.endtime >= parseInt(PVE_UPID.exec(upid)![4]!, 16));
});

test('starting a running VM fails in its task, like qemu-server: "VM … already running"', async () => {
  const upid = String((await prod.post('/nodes/pve-prod-1/qemu/100/status/start')).data);
  const done = await waitTask(prod, upid);
  assert.equal(done.exitstatus, 'VM 100 already running');
  assert.equal((await taskLog(prod, upid)).at(-1), 'TASK ERROR: VM 100 already running');
  const errors = (await prod.get('/nodes/pve-prod-1/tasks', { errors: 1, limit: 500 })).data as { upid: string }[];
  assert.ok(errors.some((t) => t.upid === upid));
});

test('containers refuse before forking: start on running, stop on stopped are HTTP 500s with the reason', async () => {
  const r = await prod.post('/nodes/pve-prod-1/lxc/107/status/start');
  assert.equal(r.status, 500);
  assert.equal(r.reason, 'CT 107 already running');
  assert.deepEqual(r.body, { data: null, message: 'CT 107 already running\n' });
  const stopped = await lab.post('/nodes/lab-2/lxc/112/status/shutdown');
  assert.equal(stopped.status, 200, 'minio-test is running');
  await waitTask(lab, String(stopped.data));
  const again = await lab.post('/nodes/lab-2/lxc/112/status/stop');
  assert.equal(again.status, 500);
  assert.equal(again.reason, 'CT 112 not running');
});

test('stopping a stopped VM is a no-op task that ends OK; rebooting it is refused', async () => {
  const upid = String((await lab.post('/nodes/lab-2/qemu/109/status/stop')).data);
  assert.equal((await waitTask(lab, upid)).exitstatus, 'OK');
  const r = await lab.post('/nodes/lab-2/qemu/109/status/reboot');
  assert.equal(r.status, 500);
  assert.equal(r.reason, 'VM 109 not running');
});

test('a locked guest and a template refuse to start, in their task', async () => {
  const r = sim.world.remote('prod-cluster') as PveState;
  r.guests.get(113)!.lock = 'backup';
  const locked = String((await prod.post('/nodes/pve-prod-3/qemu/113/status/shutdown')).data);
  assert.equal((await waitTask(prod, locked)).exitstatus, 'VM is locked (backup)');
  delete r.guests.get(113)!.lock;
  const tpl = String((await prod.post('/nodes/pve-prod-1/qemu/9000/status/start')).data);
  assert.equal((await waitTask(prod, tpl)).exitstatus, "you can't start a vm if it's a template");
});

test('a guest on a node that is down cannot be reached through its peers (595)', async () => {
  const r = await lab.get('/nodes/lab-3/qemu/116/status/current');
  assert.equal(r.status, 595);
  assert.equal(r.reason, 'Connection refused');
});

test('shutdown then start flips the status each time; the log grows while the task runs', async () => {
  const down = String((await prod.post('/nodes/pve-prod-2/qemu/116/status/shutdown')).data);
  const early = await taskLog(prod, down);
  assert.ok(!early.includes('TASK OK'));
  assert.equal((await waitTask(prod, down)).exitstatus, 'OK');
  assert.equal(((await prod.get('/nodes/pve-prod-2/qemu/116/status/current')).data as { status: string }).status, 'stopped');
  const res = (await prod.get('/cluster/resources', { type: 'vm' })).data as { vmid: number; status: string; cpu: number; mem: number }[];
  const e = res.find((x) => x.vmid === 116)!;
  assert.deepEqual([e.status, e.cpu, e.mem], ['stopped', 0, 0]);
  const up = String((await prod.post('/nodes/pve-prod-2/qemu/116/status/start')).data);
  assert.equal((await waitTask(prod, up)).exitstatus, 'OK');
  assert.equal(((await prod.get('/nodes/pve-prod-2/qemu/116/status/current')).data as { status: string }).status, 'running');
});

test('DELETE stops a running task: it ends "interrupted by signal" and its effect never happens', async () => {
  const upid = String((await prod.post('/nodes/pve-prod-3/qemu/102/status/shutdown')).data);
  const r = await prod.delete(`/nodes/pve-prod-3/tasks/${encodeURIComponent(upid)}`);
  assert.equal(r.status, 200);
  assert.equal(r.data, null);
  const done = await waitTask(prod, upid);
  assert.equal(done.exitstatus, 'interrupted by signal');
  skipped += 120_000;
  assert.equal(((await prod.get('/nodes/pve-prod-3/qemu/102/status/current')).data as { status: string }).status, 'running');
});

test('task logs page with start/limit and report the total', async () => {
  const hist = (await prod.get('/nodes/pve-prod-1/tasks', { typefilter: 'aptupdate', limit: 1 })).data as { upid: string }[];
  const upid = encodeURIComponent(hist[0]!.upid);
  const all = await prod.get(`/nodes/pve-prod-1/tasks/${upid}/log`);
  const total = all.body!.total as number;
  assert.ok(total > 2);
  const page = await prod.get(`/nodes/pve-prod-1/tasks/${upid}/log`, { start: 1, limit: 2 });
  assert.deepEqual((page.data as { n: number }[]).map((l) => l.n), [2, 3]);
  assert.equal(page.body!.total, total);
});

test('task lists filter and page like PVE, with `total`', async () => {
  const r = await prod.get('/nodes/pve-prod-2/tasks', { limit: 2 });
  assert.equal((r.data as unknown[]).length, 2);
  assert.ok((r.body!.total as number) > 2);
  const vzdump = (await prod.get('/nodes/pve-prod-2/tasks', { typefilter: 'vzdump', limit: 100 })).data as { type: string; starttime: number }[];
  assert.ok(vzdump.length >= 3 && vzdump.every((t) => t.type === 'vzdump'));
  assert.ok(vzdump[0]!.starttime >= vzdump[1]!.starttime, 'newest first');
  const failed = (await prod.get('/nodes/pve-prod-2/tasks', { statusfilter: 'error', limit: 100 })).data as { status: string }[];
  assert.ok(failed.some((t) => t.status === 'job errors'));
  const cluster = (await prod.get('/cluster/tasks')).data as { node: string }[];
  assert.deepEqual([...new Set(cluster.map((t) => t.node))].sort(), ['pve-prod-1', 'pve-prod-2', 'pve-prod-3']);
});

test('PBS tasks: its UPID format (task id, escaped worker id) and worker_type in lists', async () => {
  const pbs = new SimClient(sim.remotes.find((r) => r.id === 'backup')!);
  const list = (await pbs.get('/nodes/localhost/tasks', { typefilter: 'verificationjob', limit: 5 })).data as { upid: string; worker_type: string; worker_id: string; status: string }[];
  assert.ok(list.length > 0);
  assert.match(list[0]!.upid, /^UPID:pbs-backup-01:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:verificationjob:[a-z]+\\x3av\\x2d[a-z]+:root@pam:$/);
  assert.equal(list[0]!.worker_type, 'verificationjob');
  const failed = list.find((t) => t.worker_id.startsWith('lab'));
  assert.match(failed!.status, /verification failed/);
  const upid = String((await pbs.post('/nodes/localhost/apt/update')).data);
  assert.match(upid, /^UPID:pbs-backup-01:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:aptupdate::root@pam!steward:$/);
  const st = await waitTask(pbs, upid);
  assert.equal(st.exitstatus, 'OK');
  assert.equal(st.user, 'root@pam');
  assert.equal(st.tokenid, 'steward');
  const log = await pbs.get(`/nodes/localhost/tasks/${encodeURIComponent(upid)}/log`);
  assert.equal(log.body!.active, false);
});

test('apt update on a node with the enterprise repository and no subscription fails with 401 in its log', async () => {
  const upid = String((await lab.post('/nodes/lab-1/apt/update')).data);
  const done = await waitTask(lab, upid);
  assert.match(String(done.exitstatus), /apt-get update.*failed/);
  assert.ok((await taskLog(lab, upid)).some((l) => /401\s+Unauthorized/.test(l)));
});
