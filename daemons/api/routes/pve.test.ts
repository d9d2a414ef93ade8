// Guest actions, migrations and task life cycles through Steward's routes, against the
// simulator's demo clusters (`prod` is the simulated prod-cluster, `dr` the lab cluster):
// what Steward answers must match what the cluster did.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Logger } from '../../common/log.ts';
import { call, testDeps } from '../../../tests/fixtures/api-deps.ts';
import type { TestDeps } from '../../../tests/fixtures/api-deps.ts';
import { startSim } from '../../../tests/sim/index.ts';
import type { Sim, SimRemote } from '../../../tests/sim/index.ts';
import type { PveState } from '../../../tests/sim/state.ts';
import { createApp } from '../app.ts';
import { RemoteTasks } from '../tasks/remote-tasks.ts';

describe('guest actions, migrations and tasks', () => {
  let t: TestDeps;
  let app: ReturnType<typeof createApp>;
  let sim: Sim;
  let prodSim: SimRemote;
  let labSim: SimRemote;
  let prod: PveState;
  let lab: PveState;
  // One clock for Steward and the simulator: a task ends when the test moves time past it.
  let now = Date.parse('2026-11-23T10:00:00Z');
  // Time moves; the simulator ends the tasks that are due (it does so lazily, on the next request).
  const later = (ms = 600_000) => {
    now += ms;
    sim.world.tasks.advance();
  };
  const root = (method: string, path: string, body?: unknown) => call(app, 'root@steward', method, path, body);
  const task = (id: string) => sim.world.tasks.byUpid.get(id.slice(id.indexOf('!') + 1))!;
  const lastBody = (suffix: string) => new URLSearchParams(sim.requests.findLast((r) => r.method === 'POST' && r.path.endsWith(suffix))!.body);

  before(async () => {
    sim = await startSim({ scenario: 'demo', taskSpeed: 1, now: () => now, recordRequests: true });
    prodSim = sim.remotes.find((r) => r.id === 'prod-cluster')!;
    labSim = sim.remotes.find((r) => r.id === 'lab')!;
    prod = sim.world.remote('prod-cluster') as PveState;
    lab = sim.world.remote('lab') as PveState;
    t = await testDeps({ now: () => now, clientOptions: { retries: 2, backoffMs: 10 } });
    app = createApp(t.deps);
    const token = (r: SimRemote, name: string) => {
      const c = r.credentials.find((x) => x.name === name) as { tokenid: string; secret: string };
      return { kind: 'token', tokenid: c.tokenid, secret: c.secret };
    };
    for (const [id, r] of [['prod', prodSim], ['dr', labSim]] as const) {
      const credentials = [{ name: 'full', ...token(r, 'steward') }, ...(id === 'prod' ? [{ name: 'customer', ...token(r, 'customer-a') }] : [])];
      const res = await root('POST', '/remotes', { id, type: 'pve', endpoints: r.nodes.map((n) => ({ host: n.host, port: n.port, fingerprint: n.fingerprint })), credentials });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    await t.deps.remotes.poller.refreshAll();
  });
  after(async () => {
    await t.close();
    await sim.close();
  });

  test('start: returns remote!UPID, is audited, recorded, and followed to its end', async () => {
    const res = await root('POST', '/pve/remotes/prod/qemu/121/start', {});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const id = res.body.data as string;
    assert.match(id, /^prod!UPID:pve-prod-1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmstart:121:root@pam!steward:$/);
    const audit = t.audits.findLast((a) => a.action === 'guest.start')!;
    assert.equal(audit.result, 'ok');
    assert.equal(audit.target, '/pve/remotes/prod/qemu/121/start');

    const listed = (await root('GET', '/remotes/tasks?status=running')).body.data;
    assert.deepEqual(listed.tasks.map((x: { id: string }) => x.id), [id]);
    assert.equal(listed.tasks[0].user, 'root@steward');

    const enc = encodeURIComponent(id);
    assert.equal((await root('GET', `/pve/remotes/prod/tasks/${enc}/status`)).body.data.status, 'running');
    assert.equal(prod.guests.get(121)!.status, 'stopped', 'not before the task ends');
    later();
    const status = (await root('GET', `/pve/remotes/prod/tasks/${enc}/status`)).body.data;
    assert.deepEqual([status.status, status.exitstatus], ['stopped', 'OK']);
    assert.equal(prod.guests.get(121)!.status, 'running');
    // The log, paged: all of it, then only what follows a line.
    const log = (await root('GET', `/pve/remotes/prod/tasks/${enc}/log`)).body.data as { n: number; t: string }[];
    assert.equal(log.at(-1)!.t, 'TASK OK');
    assert.deepEqual((await root('GET', `/pve/remotes/prod/tasks/${enc}/log?start=${log.length - 1}&limit=10`)).body.data, [{ n: log.length, t: 'TASK OK' }]);
    await t.deps.remotes.tasks.poll();
    const done = (await root('GET', '/remotes/tasks?remote=prod')).body.data.tasks.find((x: { id: string }) => x.id === id);
    assert.equal(done.status, 'OK');
    assert.ok(done.endtime);
    assert.equal(done['started-by-steward'], true);
    // What a guest's and a node's page list: filtered by the object and the node.
    const of = async (qs: string) => (await root('GET', `/remotes/tasks?remote=prod&${qs}`)).body.data.tasks as { id: string; object?: string; node?: string }[];
    const guestTasks = await of('object=121');
    assert.ok(guestTasks.some((x) => x.id === id) && guestTasks.every((x) => x.object === '121'), 'the guest\'s own tasks only');
    const nodeTasks = await of('node=pve-prod-1');
    assert.ok(nodeTasks.some((x) => x.id === id) && nodeTasks.every((x) => x.node === 'pve-prod-1'));
    assert.deepEqual(await of('object=121&node=pve-prod-2'), []);
    const end = t.audits.findLast((a) => a.action === 'task.finished')!;
    assert.equal(end.result, 'ok');
    assert.equal(end.auth!.userid, 'root@steward');
  });

  test('every action on VMs and containers, each followed to its effect; a failing action is audited as an error', async () => {
    const steps = [
      ['qemu', 114, 'reboot', 'running'], ['qemu', 114, 'shutdown', 'stopped'], ['qemu', 114, 'start', 'running'], ['qemu', 114, 'stop', 'stopped'],
      ['lxc', 118, 'reboot', 'running'], ['lxc', 118, 'shutdown', 'stopped'], ['lxc', 118, 'start', 'running'], ['lxc', 118, 'stop', 'stopped'], ['lxc', 118, 'start', 'running'],
    ] as const;
    for (const [kind, vmid, action, after] of steps) {
      const res = await root('POST', `/pve/remotes/prod/${kind}/${vmid}/${action}`, action === 'shutdown' ? { timeout: 30, forceStop: 1 } : {});
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.match(res.body.data, new RegExp(`:${kind === 'qemu' ? 'qm' : 'vz'}${action}:${vmid}:`));
      assert.equal(t.audits.at(-1)!.action, `guest.${action}`);
      later();
      assert.equal(task(res.body.data).exitstatus, 'OK', `${kind} ${vmid} ${action}`);
      assert.equal(prod.guests.get(vmid)!.status, after, `${kind} ${vmid} after ${action}`);
      // Steward shows the guest as the cluster has it now.
      assert.equal((await root('GET', `/pve/remotes/prod/${kind}/${vmid}/status`)).body.data.status, after);
    }
    const missing = await root('POST', '/pve/remotes/prod/qemu/555/start', {});
    assert.equal(missing.status, 404);
    assert.equal(t.audits.at(-1)!.result, 'error');
    // The cluster's own refusal (pve-container: a running CT cannot start) is a remote_error with its message.
    const refused = await root('POST', '/pve/remotes/prod/lxc/118/start', {});
    assert.equal(refused.body.code, 'remote_error');
    assert.match(refused.body.message!, /CT 118 already running/);
    assert.equal(t.audits.at(-1)!.result, 'error');
  });

  test('stop a task', async () => {
    const id = (await root('POST', '/pve/remotes/prod/qemu/114/start', {})).body.data as string;
    const res = await root('DELETE', `/pve/remotes/prod/tasks/${encodeURIComponent(id)}`);
    assert.equal(res.status, 200);
    assert.deepEqual([task(id).status, task(id).exitstatus], ['stopped', 'interrupted by signal']);
    assert.equal(t.audits.at(-1)!.action, 'task.stop');
    later();
    assert.equal(prod.guests.get(114)!.status, 'stopped', 'a stopped start never happens');
    assert.equal((await root('GET', `/pve/remotes/dr/tasks/${encodeURIComponent(id)}/status`)).body.code, 'validation', 'a task id names its remote');
  });

  test("a group member acts with the group's limited credential; the remote refuses what it does not allow", async () => {
    t.grants.set('customer@steward', [{ path: '/remotes/prod', role: 'Manage', credential: 'customer' }]);
    const ok = await call(app, 'customer@steward', 'POST', '/pve/remotes/prod/qemu/204/start', {});
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.match(ok.body.data, /customer-a@pve!steward:$/);
    const refused = await call(app, 'customer@steward', 'POST', '/pve/remotes/prod/qemu/121/stop', {});
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'remote_forbidden');
    assert.match(refused.body.message!, /VM\.PowerMgmt/);
    assert.equal(prod.guests.get(121)!.status, 'running', 'and the guest was not touched');
    const theirs = (await call(app, 'customer@steward', 'GET', '/remotes/tasks')).body.data.tasks;
    assert.ok(theirs.length >= 1 && theirs.every((x: { user: string }) => x.user === 'customer@steward'), 'only tasks started with their credential');
    t.grants.set('auditor@steward', [{ path: '/remotes/prod', role: 'Audit' }]);
    assert.equal((await call(app, 'auditor@steward', 'POST', '/pve/remotes/prod/qemu/204/stop', {})).status, 403);
    later();
  });

  test("a view holder acts on the guests the view includes, one by one — not on the rest of the remote", async () => {
    assert.equal((await root('POST', '/views', { id: 'customer-a', search: 'pool:customer-a', 'include-remotes': ['prod'] })).status, 201);
    t.grants.set('viewer@steward', [{ path: '/views/customer-a', role: 'Manage' }]);
    t.grants.set('watcher@steward', [{ path: '/views/customer-a', role: 'Audit' }]);
    const seen = (await call(app, 'viewer@steward', 'GET', '/resources/list?search=type%3Avm')).body.data.resources.map((r: { id: string }) => r.id);
    assert.deepEqual(seen, ['qemu/200', 'qemu/201', 'qemu/202', 'lxc/203', 'qemu/204']);

    const id = (await call(app, 'viewer@steward', 'POST', '/pve/remotes/prod/qemu/204/stop', {})).body.data as string;
    assert.match(id, /^prod!UPID:pve-prod-2:.*:qmstop:204:root@pam!steward:$/, 'with the remote\'s default credential');
    const enc = encodeURIComponent(id);
    assert.equal((await call(app, 'viewer@steward', 'GET', `/pve/remotes/prod/tasks/${enc}/status`)).status, 200, 'follows its task');
    assert.equal((await call(app, 'viewer@steward', 'GET', `/pve/remotes/prod/tasks/${enc}/log`)).status, 200);
    const listed = (await call(app, 'viewer@steward', 'GET', '/remotes/tasks')).body.data.tasks as { id: string; object?: string }[];
    assert.ok(listed.some((x) => x.id === id), 'its task is listed');
    assert.ok(listed.length > 1 && listed.every((x) => ['200', '201', '202', '203', '204'].includes(x.object!)), "with the view's guests' history, and nothing of other guests");
    assert.equal((await call(app, 'viewer@steward', 'GET', '/pve/remotes/prod/lxc/203/status')).status, 200);
    assert.equal((await call(app, 'watcher@steward', 'GET', '/pve/remotes/prod/qemu/204/config')).status, 200, 'Audit on the view reads');
    const privs = async (user: string, id: string) => (await call(app, user, 'GET', `/resources/privileges?remote=prod&id=${id}`)).body.data;
    assert.deepEqual(await privs('viewer@steward', 'qemu/204'), { audit: true, manage: true, admin: false }, 'what the UI offers: actions on a guest of the view');
    assert.deepEqual(await privs('viewer@steward', 'qemu/121'), { audit: false, manage: false, admin: false }, 'nothing on the rest of the remote');
    assert.deepEqual(await privs('watcher@steward', 'qemu/204'), { audit: true, manage: false, admin: false });
    assert.deepEqual(await privs('root@steward', 'qemu/121'), { audit: true, manage: true, admin: true });
    assert.deepEqual(await privs('viewer@steward', 'qemu/999'), { audit: false, manage: false, admin: false }, 'an unknown guest: nothing, like one not seen');
    assert.equal((await call(app, 'viewer@steward', 'GET', '/resources/privileges?remote=prod&id=..%2F..')).body.code, 'validation');
    later();
    assert.equal(prod.guests.get(204)!.status, 'stopped');

    // Other guests of the same remote: refused by Steward, nothing reaches the cluster.
    sim.requests.length = 0;
    for (const [method, path] of [['POST', '/pve/remotes/prod/qemu/121/stop'], ['POST', '/pve/remotes/prod/lxc/118/reboot'], ['POST', '/pve/remotes/prod/qemu/301/migrate'], ['GET', '/pve/remotes/prod/qemu/300/status']] as const) {
      const r = await call(app, 'viewer@steward', method, path, method === 'POST' ? (path.endsWith('migrate') ? { target: 'pve-prod-2', online: 1 } : {}) : undefined);
      assert.equal(r.status, 403, `${method} ${path}`);
      assert.equal(r.body.code, 'forbidden');
    }
    const other = (await root('POST', '/pve/remotes/prod/qemu/121/stop', {})).body.data as string;
    assert.equal((await call(app, 'viewer@steward', 'GET', `/pve/remotes/prod/tasks/${encodeURIComponent(other)}/status`)).status, 403, "another guest's task");
    assert.equal((await call(app, 'viewer@steward', 'DELETE', `/pve/remotes/prod/tasks/${encodeURIComponent(other)}`)).status, 403);
    assert.equal((await call(app, 'watcher@steward', 'POST', '/pve/remotes/prod/qemu/204/start', {})).status, 403, 'Audit on the view does not act');
    assert.equal((await call(app, 'viewer@steward', 'POST', '/pve/remotes/prod/qemu/204/remote-migrate', { target: 'dr', 'target-storage': 'x', 'target-bridge': 'y' })).status, 403, 'remote migration needs Admin on both remotes');
    assert.deepEqual(sim.requests.filter((r) => r.method !== 'GET' && !r.path.includes('/qemu/121/')).map((r) => r.path), []);
    later();
    assert.equal(prod.guests.get(121)!.status, 'stopped');
  });

  test('migrate within the cluster: preconditions first, with clear errors; the guest moves', async () => {
    const m = (body: unknown, vm = 105, kind = 'qemu') => root('POST', `/pve/remotes/prod/${kind}/${vm}/migrate`, body);
    assert.equal(prod.guests.get(105)!.node, 'pve-prod-3');
    assert.match((await m({ target: 'pve-prod-2' })).body.message!, /running: pass online=1/);
    assert.equal((await m({ target: 'pve-prod-3' })).body.errors!.target, 'same as the current node');
    assert.equal((await m({ target: 'n9', online: 1 })).body.errors!.target, 'unknown node');
    sim.setFault({ remote: 'prod-cluster', node: 'pve-prod-1' }, { kind: 'down' });
    await sim.settled();
    await t.deps.remotes.poller.refresh('prod');
    assert.equal((await m({ target: 'pve-prod-1', online: 1 })).body.errors!.target, 'not online');
    sim.setFault({ remote: 'prod-cluster', node: 'pve-prod-1' }, null);
    await sim.settled();
    await t.deps.remotes.poller.refresh('prod');
    // A storage the target lacks: the cluster's own precondition check says so.
    const storage = prod.storages.find((s) => s.id === prod.guests.get(105)!.storage)!;
    const nodes = storage.nodes;
    storage.nodes = ['pve-prod-1', 'pve-prod-3'];
    try {
      assert.match((await m({ target: 'pve-prod-2', online: 1 })).body.message!, new RegExp(`storages not available there: ${storage.id}`));
    } finally {
      if (nodes) storage.nodes = nodes;
      else delete storage.nodes;
    }
    sim.requests.length = 0;
    const ok = await m({ target: 'pve-prod-2', online: 1, 'with-local-disks': 1 });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.match(ok.body.data, /:qmigrate:105:/, 'qemu-server names the worker qmigrate');
    assert.equal(lastBody('/qemu/105/migrate').get('online'), '1');
    assert.equal((await root('GET', '/pve/remotes/prod/qemu/105/config')).body.data.lock, 'migrate', 'locked while it moves');
    later();
    assert.equal(task(ok.body.data).exitstatus, 'OK');
    assert.equal(prod.guests.get(105)!.node, 'pve-prod-2');
    assert.equal(prod.guests.get(105)!.status, 'running');
    // Containers migrate by restarting.
    assert.match((await m({ target: 'pve-prod-3' }, 118, 'lxc')).body.message!, /restart=1/);
    const ct = await m({ target: 'pve-prod-3', restart: true }, 118, 'lxc');
    assert.equal(ct.status, 200, JSON.stringify(ct.body));
    later();
    assert.equal(task(ct.body.data).exitstatus, 'OK');
    assert.equal(prod.guests.get(118)!.node, 'pve-prod-3');
  });

  test('migrate to another remote: passes the target endpoint, token and fingerprint; needs Admin on both; the guest arrives', async () => {
    const labToken = labSim.credentials.find((c) => c.name === 'steward') as { tokenid: string; secret: string };
    const storage = lab.storages.find((s) => s.content.includes('images') && !s.pbs)!.id;
    sim.requests.length = 0;
    const res = await root('POST', '/pve/remotes/prod/qemu/113/remote-migrate', { target: 'dr', 'target-storage': storage, 'target-bridge': 'vmbr0', 'target-vmid': 4113, online: true, delete: true });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.match(res.body.data, /:qmigrate:113:/);
    const sent = lastBody('/qemu/113/remote_migrate');
    const ep = labSim.nodes[0]!;
    assert.equal(sent.get('target-endpoint'), `host=${ep.host},port=${ep.port},apitoken=PVEAPIToken=${labToken.tokenid}=${labToken.secret},fingerprint=${ep.fingerprint}`);
    assert.equal(sent.get('target-storage'), storage);
    assert.equal(t.audits.at(-1)!.action, 'guest.remote-migrate');
    assert.ok(!JSON.stringify(res.body).includes(labToken.secret) && !JSON.stringify(t.audits).includes(labToken.secret), 'the token secret is not echoed');
    later(3_600_000);
    assert.equal(task(res.body.data).exitstatus, 'OK');
    assert.equal(lab.guests.get(4113)?.status, 'running', 'the guest runs on the other cluster');
    assert.ok(!prod.guests.has(113), 'and left the source (delete)');

    t.grants.set('half@steward', [{ path: '/remotes/prod', role: 'Admin' }, { path: '/remotes/dr', role: 'Manage' }]);
    const denied = await call(app, 'half@steward', 'POST', '/pve/remotes/prod/qemu/117/remote-migrate', { target: 'dr', 'target-storage': 'x', 'target-bridge': 'y' });
    assert.equal(denied.status, 403);
    assert.match(denied.body.message!, /\/remotes\/dr/);
    assert.equal((await root('POST', '/pve/remotes/prod/qemu/117/remote-migrate', { target: 'prod', 'target-storage': 'x', 'target-bridge': 'y' })).body.code, 'validation');
  });

  test('tasks in flight survive a restart: a new tracker over the same store follows them to the end', async () => {
    // Starting a running VM fails in its task, as qemu-server does.
    const id = (await root('POST', '/pve/remotes/prod/qemu/117/start', {})).body.data as string;
    const restarted = new RemoteTasks(t.deps.store, t.deps.remotes, () => t.deps.access, new Logger(), { intervalMs: 60_000, now: () => now });
    assert.equal(restarted.get(id)!.status, 'running');
    later();
    await restarted.poll();
    assert.equal(restarted.get(id)!.status, 'VM 117 already running');
    assert.equal((await root('GET', '/remotes/tasks?status=error&type=qmstart')).body.data.tasks.some((x: { id: string }) => x.id === id), true);
    const end = t.audits.findLast((a) => a.action === 'task.finished' && a.target === `/remotes/prod/tasks/${task(id).upid}`)!;
    assert.equal(end.result, 'error');
    assert.equal(end.error, 'VM 117 already running');
  });
});
