import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Logger } from '../../common/log.ts';
import { call, testDeps } from '../../../tests/fixtures/api-deps.ts';
import type { TestDeps } from '../../../tests/fixtures/api-deps.ts';
import { startFakeProxmox } from '../../../tests/fixtures/fake-proxmox.ts';
import type { FakeProxmox, SeenRequest } from '../../../tests/fixtures/fake-proxmox.ts';
import { createApp } from '../app.ts';
import { RemoteTasks } from '../tasks/remote-tasks.ts';

const FULL = 'PVEAPIToken=steward@pve!full=s1';
const CUSTOMER = 'PVEAPIToken=customer@pve!limited=s2';
const hex = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');

describe('guest actions, migrations and tasks', () => {
  let t: TestDeps;
  let app: ReturnType<typeof createApp>;
  let pve: FakeProxmox;
  let seq = 0;
  const tasks = new Map<string, { status: string; exitstatus?: string; log: string[] }>();
  const guests: Record<string, { status: string; node: string }> = { '100': { status: 'running', node: 'n1' }, '101': { status: 'stopped', node: 'n1' }, '200': { status: 'running', node: 'n1' } };
  let preconditions: Record<string, unknown> = {};

  const newTask = (node: string, type: string, id: string, user: string) => {
    const upid = `UPID:${node}:${hex(4000 + ++seq)}:${hex(77)}:${hex(1_700_000_000 + seq)}:${type}:${id}:${user}:`;
    tasks.set(upid, { status: 'running', log: [`starting ${type} ${id}`] });
    return upid;
  };

  before(async () => {
    t = await testDeps();
    app = createApp(t.deps);
    pve = await startFakeProxmox((r: SeenRequest) => {
      const auth = r.headers.authorization;
      if (auth !== FULL && auth !== CUSTOMER) return { status: 401, reason: 'authentication failure' };
      const user = auth === FULL ? 'steward@pve!full' : 'customer@pve!limited';
      const path = decodeURIComponent(r.path.replace(/^\/api2\/json/, '').split('?')[0]!);
      let m: RegExpExecArray | null;
      if (path === '/cluster/resources') {
        return { data: [
          { id: 'node/n1', type: 'node', node: 'n1', status: 'online' },
          { id: 'node/n2', type: 'node', node: 'n2', status: 'online' },
          { id: 'node/n3', type: 'node', node: 'n3', status: 'offline' },
          ...Object.entries(guests).map(([vmid, g]) => ({ id: `${vmid === '200' ? 'lxc' : 'qemu'}/${vmid}`, type: vmid === '200' ? 'lxc' : 'qemu', vmid: Number(vmid), node: g.node, status: g.status, name: `g${vmid}` })),
        ] };
      }
      if (path === '/cluster/tasks') return { data: [] };
      if ((m = /^\/nodes\/(\w+)\/(qemu|lxc)\/(\d+)\/status\/(start|stop|shutdown|reboot)$/.exec(path)) && r.method === 'POST') {
        if (auth === CUSTOMER && m[3] !== '100') return { status: 403, reason: `Permission check failed (/vms/${m[3]}, VM.PowerMgmt)` };
        return { data: newTask(m[1]!, `${m[2] === 'qemu' ? 'qm' : 'vz'}${m[4]}`, m[3]!, user) };
      }
      if ((m = /^\/nodes\/(\w+)\/qemu\/(\d+)\/migrate$/.exec(path)) && r.method === 'GET') return { data: { running: guests[m[2]!]!.status === 'running' ? 1 : 0, allowed_nodes: ['n2'], not_allowed_nodes: {}, local_disks: [], local_resources: [], ...preconditions } };
      if ((m = /^\/nodes\/(\w+)\/(qemu|lxc)\/(\d+)\/(migrate|remote_migrate)$/.exec(path)) && r.method === 'POST') return { data: newTask(m[1]!, `${m[2] === 'qemu' ? 'qm' : 'vz'}${m[4] === 'migrate' ? 'migrate' : 'remotemigrate'}`, m[3]!, user) };
      if ((m = /^\/nodes\/(\w+)\/tasks\/(UPID:[^/]+)\/status$/.exec(path))) {
        const task = tasks.get(m[2]!);
        return task ? { data: { upid: m[2], node: m[1], status: task.status, ...(task.exitstatus ? { exitstatus: task.exitstatus } : {}) } } : { status: 500, reason: 'no such task' };
      }
      if ((m = /^\/nodes\/(\w+)\/tasks\/(UPID:[^/]+)\/log$/.exec(path))) {
        const q = new URLSearchParams(r.path.split('?')[1]);
        const start = Number(q.get('start') ?? 0);
        return { data: (tasks.get(m[2]!)?.log ?? []).map((line, i) => ({ n: i + 1, t: line })).slice(start, start + Number(q.get('limit') ?? 50)) };
      }
      if ((m = /^\/nodes\/(\w+)\/tasks\/(UPID:[^/]+)$/.exec(path)) && r.method === 'DELETE') {
        const task = tasks.get(m[2]!);
        if (task) Object.assign(task, { status: 'stopped', exitstatus: 'unexpected status' });
        return { data: null };
      }
      return undefined;
    });
    const creds = [{ name: 'full', kind: 'token', tokenid: 'steward@pve!full', secret: 's1' }, { name: 'customer', kind: 'token', tokenid: 'customer@pve!limited', secret: 's2' }];
    for (const id of ['prod', 'dr']) {
      const res = await call(app, 'root@steward', 'POST', '/remotes', { id, type: 'pve', endpoints: [{ host: '127.0.0.1', port: pve.port, fingerprint: pve.fingerprint }], credentials: creds });
      assert.equal(res.status, 201);
    }
    await t.deps.remotes.poller.refreshAll();
  });
  after(async () => {
    await pve.close();
    await t.close();
  });

  test('start: returns remote!UPID, is audited, recorded, and followed to its end', async () => {
    const res = await call(app, 'root@steward', 'POST', '/pve/remotes/prod/qemu/101/start', {});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const id = res.body.data as string;
    assert.match(id, /^prod!UPID:n1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmstart:101:steward@pve!full:$/);
    const audit = t.audits.findLast((a) => a.action === 'guest.start')!;
    assert.equal(audit.result, 'ok');
    assert.equal(audit.target, '/pve/remotes/prod/qemu/101/start');

    const listed = (await call(app, 'root@steward', 'GET', '/remotes/tasks?status=running')).body.data;
    assert.deepEqual(listed.tasks.map((x: { id: string }) => x.id), [id]);
    assert.equal(listed.tasks[0].user, 'root@steward');

    const enc = encodeURIComponent(id);
    assert.equal((await call(app, 'root@steward', 'GET', `/pve/remotes/prod/tasks/${enc}/status`)).body.data.status, 'running');
    const upid = id.slice('prod!'.length);
    tasks.get(upid)!.log.push('TASK OK');
    Object.assign(tasks.get(upid)!, { status: 'stopped', exitstatus: 'OK' });
    assert.deepEqual((await call(app, 'root@steward', 'GET', `/pve/remotes/prod/tasks/${enc}/log?start=1&limit=10`)).body.data, [{ n: 2, t: 'TASK OK' }]);
    await t.deps.remotes.tasks.poll();
    const done = (await call(app, 'root@steward', 'GET', '/remotes/tasks?remote=prod')).body.data.tasks[0];
    assert.equal(done.status, 'OK');
    assert.ok(done.endtime);
    const end = t.audits.findLast((a) => a.action === 'task.finished')!;
    assert.equal(end.result, 'ok');
    assert.equal(end.auth!.userid, 'root@steward');
  });

  test('stop, shutdown and reboot on VMs and containers; a failing action is audited as an error', async () => {
    for (const [kind, vmid, action] of [['qemu', 100, 'stop'], ['qemu', 100, 'shutdown'], ['lxc', 200, 'reboot']] as const) {
      const res = await call(app, 'root@steward', 'POST', `/pve/remotes/prod/${kind}/${vmid}/${action}`, {});
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.match(res.body.data, new RegExp(`:${kind === 'qemu' ? 'qm' : 'vz'}${action}:${vmid}:`));
    }
    const missing = await call(app, 'root@steward', 'POST', '/pve/remotes/prod/qemu/555/start', {});
    assert.equal(missing.status, 404);
    assert.equal(t.audits.at(-1)!.result, 'error');
  });

  test('stop a task', async () => {
    const id = (await call(app, 'root@steward', 'POST', '/pve/remotes/prod/qemu/101/start', {})).body.data as string;
    const res = await call(app, 'root@steward', 'DELETE', `/pve/remotes/prod/tasks/${encodeURIComponent(id)}`);
    assert.equal(res.status, 200);
    assert.equal(tasks.get(id.slice(5))!.status, 'stopped');
    assert.equal(t.audits.at(-1)!.action, 'task.stop');
    assert.equal((await call(app, 'root@steward', 'GET', `/pve/remotes/dr/tasks/${encodeURIComponent(id)}/status`)).body.code, 'validation', 'a task id names its remote');
  });

  test('a group member acts with the group\'s limited credential; the remote refuses what it does not allow', async () => {
    t.grants.set('customer@steward', [{ path: '/remotes/prod', role: 'Manage', credential: 'customer' }]);
    const ok = await call(app, 'customer@steward', 'POST', '/pve/remotes/prod/qemu/100/start', {});
    assert.equal(ok.status, 200);
    assert.match(ok.body.data, /customer@pve!limited:$/);
    const refused = await call(app, 'customer@steward', 'POST', '/pve/remotes/prod/qemu/101/start', {});
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'remote_forbidden');
    assert.match(refused.body.message!, /VM\.PowerMgmt/);
    const theirs = (await call(app, 'customer@steward', 'GET', '/remotes/tasks')).body.data.tasks;
    assert.ok(theirs.length >= 1 && theirs.every((x: { user: string }) => x.user === 'customer@steward'), 'only tasks started with their credential');
    t.grants.set('auditor@steward', [{ path: '/remotes/prod', role: 'Audit' }]);
    assert.equal((await call(app, 'auditor@steward', 'POST', '/pve/remotes/prod/qemu/100/start', {})).status, 403);
  });

  test('migrate within the cluster: preconditions first, with clear errors', async () => {
    const m = (body: unknown, vm = 100, kind = 'qemu') => call(app, 'root@steward', 'POST', `/pve/remotes/prod/${kind}/${vm}/migrate`, body);
    assert.match((await m({ target: 'n2' })).body.message!, /running: pass online=1/);
    assert.equal((await m({ target: 'n1' })).body.errors!.target, 'same as the current node');
    assert.equal((await m({ target: 'n3', online: 1 })).body.errors!.target, 'not online');
    assert.equal((await m({ target: 'n9', online: 1 })).body.errors!.target, 'unknown node');
    preconditions = { not_allowed_nodes: { n2: { unavailable_storages: ['local-zfs'] } } };
    assert.match((await m({ target: 'n2', online: 1 })).body.message!, /local-zfs/);
    preconditions = {};
    pve.requests.length = 0;
    const ok = await m({ target: 'n2', online: 1 });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.match(ok.body.data, /:qmmigrate:100:/);
    assert.equal(new URLSearchParams(pve.requests.at(-1)!.body).get('online'), '1');
    assert.match((await m({ target: 'n2' }, 200, 'lxc')).body.message!, /restart=1/);
    assert.equal((await m({ target: 'n2', restart: true }, 200, 'lxc')).status, 200);
  });

  test('migrate to another remote: passes the target endpoint, token and fingerprint; needs Admin on both', async () => {
    pve.requests.length = 0;
    const res = await call(app, 'root@steward', 'POST', '/pve/remotes/prod/qemu/100/remote-migrate', { target: 'dr', 'target-storage': 'local-lvm', 'target-bridge': 'vmbr0', online: true });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.match(res.body.data, /:qmremotemigrate:100:/);
    const sent = new URLSearchParams(pve.requests.at(-1)!.body);
    assert.equal(sent.get('target-endpoint'), `host=127.0.0.1,port=${pve.port},apitoken=PVEAPIToken=steward@pve!full=s1,fingerprint=${pve.fingerprint}`);
    assert.equal(sent.get('target-storage'), 'local-lvm');
    assert.equal(t.audits.at(-1)!.action, 'guest.remote-migrate');
    assert.ok(!JSON.stringify(res.body).includes('s1') || !JSON.stringify(t.audits).includes('=s1'), 'the token secret is not echoed');

    t.grants.set('half@steward', [{ path: '/remotes/prod', role: 'Admin' }, { path: '/remotes/dr', role: 'Manage' }]);
    const denied = await call(app, 'half@steward', 'POST', '/pve/remotes/prod/qemu/100/remote-migrate', { target: 'dr', 'target-storage': 'x', 'target-bridge': 'y' });
    assert.equal(denied.status, 403);
    assert.match(denied.body.message!, /\/remotes\/dr/);
    assert.equal((await call(app, 'root@steward', 'POST', '/pve/remotes/prod/qemu/100/remote-migrate', { target: 'prod', 'target-storage': 'x', 'target-bridge': 'y' })).body.code, 'validation');
  });

  test('tasks in flight survive a restart: a new tracker over the same store follows them to the end', async () => {
    const id = (await call(app, 'root@steward', 'POST', '/pve/remotes/prod/qemu/101/start', {})).body.data as string;
    const restarted = new RemoteTasks(t.deps.store, t.deps.remotes, () => t.deps.access, new Logger());
    assert.equal(restarted.get(id)!.status, 'running');
    Object.assign(tasks.get(id.slice(5))!, { status: 'stopped', exitstatus: 'start failed: QEMU exited with code 1' });
    await restarted.poll();
    assert.equal(restarted.get(id)!.status, 'start failed: QEMU exited with code 1');
    assert.equal((await call(app, 'root@steward', 'GET', '/remotes/tasks?status=error&type=qemustart')).body.data.tasks.some((x: { id: string }) => x.id === id), true);
    assert.equal(t.audits.findLast((a) => a.action === 'task.finished')!.result, 'error');
  });
});
