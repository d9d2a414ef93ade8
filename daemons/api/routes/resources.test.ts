import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, testDeps } from '../../../tests/fixtures/api-deps.ts';
import type { TestDeps } from '../../../tests/fixtures/api-deps.ts';
import { closedPort, startFakeProxmox } from '../../../tests/fixtures/fake-proxmox.ts';
import type { FakeProxmox, SeenRequest } from '../../../tests/fixtures/fake-proxmox.ts';
import { createApp } from '../app.ts';
import { SnapshotCache } from '../remotes/snapshot-cache.ts';

const G = 1024 ** 3;
const FULL = 'PVEAPIToken=steward@pve!full=s1';
const CUSTOMER = 'PVEAPIToken=customer@pve!limited=s2';
const PVE_RESOURCES = [
  { id: 'node/n1', type: 'node', node: 'n1', status: 'online', cpu: 0.4, mem: 30 * G, maxmem: 64 * G, maxcpu: 16, uptime: 100000 },
  { id: 'node/n2', type: 'node', node: 'n2', status: 'offline' },
  { id: 'qemu/100', type: 'qemu', vmid: 100, name: 'cust-web', node: 'n1', status: 'running', cpu: 0.95, mem: 3 * G, maxmem: 4 * G, pool: 'customer', tags: 'web' },
  { id: 'qemu/101', type: 'qemu', vmid: 101, name: 'internal-db', node: 'n1', status: 'running', cpu: 0.2, mem: 1 * G, maxmem: 8 * G, tags: 'db' },
  { id: 'lxc/102', type: 'lxc', vmid: 102, name: 'dns', node: 'n1', status: 'stopped', maxmem: G, template: 0 },
  { id: 'storage/n1/local', type: 'storage', storage: 'local', node: 'n1', status: 'available', disk: 95 * G, maxdisk: 100 * G, shared: 0, plugintype: 'dir' },
  { id: 'sdn/n1/localnetwork', type: 'sdn', node: 'n1', status: 'ok' },
];

describe('poller, snapshot cache and /resources', () => {
  let t: TestDeps;
  let app: ReturnType<typeof createApp>;
  let pve: FakeProxmox;
  let pbs: FakeProxmox;
  let now = 1_700_000_000_000;
  let pveDown = false;

  before(async () => {
    t = await testDeps({ now: () => now });
    app = createApp(t.deps);
    pve = await startFakeProxmox((r: SeenRequest) => {
      if (pveDown) return { status: 500, reason: 'Internal Server Error' };
      const auth = r.headers.authorization;
      if (auth !== FULL && auth !== CUSTOMER) return { status: 401, reason: 'authentication failure' };
      if (r.path === '/api2/json/cluster/resources') return { data: auth === FULL ? PVE_RESOURCES : PVE_RESOURCES.filter((x) => x.id === 'qemu/100') };
      if (r.path === '/api2/json/cluster/tasks') return { data: [{ upid: 'UPID:n1:00001:00000001:65000000:qmstart:101:root@pam:', node: 'n1', type: 'qmstart', id: '101', user: 'root@pam', starttime: now / 1000 - 100, endtime: now / 1000 - 90, status: 'command failed' }] };
      if (/\/apt\/update$/.test(r.path)) return { data: [{ Package: 'pve-manager', Version: '9.0.4', OldVersion: '9.0.3' }] };
      if (/\/subscription$/.test(r.path)) return { data: { status: 'notfound' } };
      return undefined;
    });
    pbs = await startFakeProxmox((r: SeenRequest) => {
      if (r.path === '/api2/json/nodes/localhost/status') return { data: { cpu: 0.1, memory: { used: G, total: 4 * G }, root: { used: 5 * G, total: 50 * G }, uptime: 5000, cpuinfo: { cpus: 4 } } };
      if (r.path === '/api2/json/status/datastore-usage') return { data: [{ store: 'store1', total: 100 * G, used: 80 * G, avail: 20 * G, 'estimated-full-date': 1_800_000_000 }] };
      if (r.path.startsWith('/api2/json/nodes/localhost/tasks')) return { data: [] };
      return { data: [] };
    });
    const dead = await closedPort();
    const root = (path: string, body: unknown) => call(app, 'root@steward', 'POST', path, body);
    assert.equal((await root('/remotes', {
      id: 'prod', type: 'pve',
      endpoints: [{ host: '127.0.0.1', port: dead, fingerprint: pve.fingerprint }, { host: '127.0.0.1', port: pve.port, fingerprint: pve.fingerprint }],
      credentials: [{ name: 'full', kind: 'token', tokenid: 'steward@pve!full', secret: 's1' }, { name: 'customer', kind: 'token', tokenid: 'customer@pve!limited', secret: 's2' }],
    })).status, 201);
    assert.equal((await root('/remotes', {
      id: 'backup', type: 'pbs', endpoints: [{ host: '127.0.0.1', port: pbs.port, fingerprint: pbs.fingerprint }],
      credentials: [{ name: 'full', kind: 'token', tokenid: 'steward@pbs!full', secret: 's3' }],
    })).status, 201);
  });
  after(async () => {
    await pve.close();
    await pbs.close();
    await t.close();
  });

  test('refresh-now: the first endpoint is down, the second serves; the remote is degraded and says why', async () => {
    const res = await call(app, 'root@steward', 'POST', '/remotes/prod/refresh');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.data.status, 'degraded');
    assert.ok(res.body.data.problems.some((p: string) => /node n2 is offline/.test(p)));
    assert.ok(res.body.data.problems.some((p: string) => /connection refused/.test(p)));
    assert.match(res.body.data.endpoints[0].error, /refused/);
    assert.equal(res.body.data.age, 0);
    assert.equal((await call(app, 'root@steward', 'POST', '/remotes/refresh')).body.data.find((s: { remote: string }) => s.remote === 'backup').status, 'ok');
    const slow = t.deps.remotes.cache.slow('prod') as { nodes: Record<string, { updates: unknown[] }> };
    assert.equal(slow.nodes.n1!.updates.length, 1, 'updates fetched for online nodes');
    assert.equal(slow.nodes.n2, undefined, 'not for offline ones');
  });

  test('the list: all resources with their remote, in Proxmox field names; sdn entries left out', async () => {
    const res = await call(app, 'root@steward', 'GET', '/resources/list');
    assert.equal(res.status, 200);
    assert.equal(res.body.data.total, 8);
    const vm = res.body.data.resources.find((r: { id: string }) => r.id === 'qemu/100');
    assert.deepEqual(vm, { remote: 'prod', 'remote-type': 'pve', id: 'qemu/100', type: 'qemu', vmid: 100, name: 'cust-web', node: 'n1', status: 'running', cpu: 0.95, mem: 3 * G, maxmem: 4 * G, pool: 'customer', tags: 'web', template: false });
    const ds = res.body.data.resources.find((r: { type: string }) => r.type === 'datastore');
    assert.equal(ds['estimated-full-date'], 1_800_000_000);
    assert.deepEqual(res.body.data.remotes.map((s: { remote: string; status: string }) => `${s.remote}:${s.status}`), ['backup:ok', 'prod:degraded']);
  });

  test('search, sort and paging; a malformed search is a 400 pointing at the position', async () => {
    const q = async (qs: string) => (await call(app, 'root@steward', 'GET', `/resources/list?${qs}`)).body;
    assert.deepEqual((await q('search=' + encodeURIComponent('+type:vm cpu>50%'))).data.resources.map((r: { id: string }) => r.id), ['qemu/100']);
    assert.deepEqual((await q('search=type%3Avm&sort=mem&order=desc')).data.resources.map((r: { id: string }) => r.id), ['qemu/100', 'qemu/101', 'lxc/102']);
    const page = (await q('sort=name&start=1&limit=2')).data;
    assert.equal(page.total, 8);
    assert.equal(page.resources.length, 2);
    const bad = await call(app, 'root@steward', 'GET', `/resources/list?search=${encodeURIComponent('type:qemu cpu>>9')}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'search_syntax');
    assert.match(bad.body.message!, /position 15: '>9' is not a percentage/);
    assert.equal((await call(app, 'root@steward', 'GET', '/resources/list?limit=0')).body.code, 'validation');
  });

  test('ACL: a group grant with a limited credential sees only what that token sees; a view grant sees the view; others nothing', async () => {
    t.grants.set('customer@steward', [{ path: '/remotes/prod', role: 'Audit', credential: 'customer' }]);
    const seen = await call(app, 'customer@steward', 'GET', '/resources/list');
    assert.deepEqual(seen.body.data.resources.map((r: { id: string }) => r.id), ['qemu/100']);
    assert.deepEqual(seen.body.data.remotes.map((s: { remote: string }) => s.remote), ['prod']);
    const status = (await call(app, 'customer@steward', 'GET', '/resources/status')).body.data;
    assert.equal(status.qemu.total, 1);
    assert.deepEqual(status['failed-tasks'], [], 'no tasks of objects the limited token cannot see');

    assert.equal((await call(app, 'root@steward', 'POST', '/views', { id: 'storage-watch', search: 'type:storage type:datastore', 'exclude-remotes': ['backup'] })).status, 201);
    t.grants.set('viewer@steward', [{ path: '/views/storage-watch', role: 'Audit' }]);
    assert.deepEqual((await call(app, 'viewer@steward', 'GET', '/resources/list')).body.data.resources.map((r: { id: string }) => r.id), ['storage/n1/local']);
    assert.deepEqual((await call(app, 'viewer@steward', 'GET', '/views')).body.data.map((v: { id: string }) => v.id), ['storage-watch']);
    assert.equal((await call(app, 'viewer@steward', 'GET', '/resources/list?search=view%3Astorage-watch')).body.data.total, 1);
    assert.equal((await call(app, 'customer@steward', 'GET', '/resources/list?search=view%3Astorage-watch')).body.code, 'search_syntax', 'a view you hold no role on is unknown to you');
    const bad = await call(app, 'root@steward', 'POST', '/views', { id: 'broken', search: 'cpu>' });
    assert.equal(bad.body.code, 'search_syntax');

    t.grants.set('nobody@steward', []);
    const none = await call(app, 'nobody@steward', 'GET', '/resources/list');
    assert.equal(none.body.data.total, 0);
    assert.deepEqual(none.body.data.remotes, []);
  });

  test('status and top-entities for the dashboard', async () => {
    const s = (await call(app, 'root@steward', 'GET', '/resources/status')).body.data;
    assert.deepEqual(s.qemu, { total: 2, running: 2 });
    assert.deepEqual(s.lxc, { total: 1, stopped: 1 });
    assert.deepEqual(s.nodes, { total: 3, online: 2, offline: 1 });
    assert.equal(s.remotes.degraded, 1);
    assert.equal(s.remotes.ok, 1);
    assert.equal(s['failed-tasks'][0].remote, 'prod');
    assert.equal(s['failed-tasks'][0].status, 'command failed');
    const top = (await call(app, 'root@steward', 'GET', '/resources/top-entities?limit=1')).body.data;
    assert.equal(top['guest-cpu'][0].id, 'qemu/100');
    assert.equal(top.storage[0].id, 'storage/n1/local');
    assert.equal(top.storage[0].value, 0.95);
  });

  test('a failing remote is down with its error and the time of the last success — its data stays, aging', async () => {
    pveDown = true;
    now += 120_000;
    const res = await call(app, 'root@steward', 'POST', '/remotes/prod/refresh');
    assert.equal(res.body.data.status, 'down');
    assert.match(res.body.data.error, /HTTP 500/);
    assert.equal(res.body.data.age, 120);
    const list = (await call(app, 'root@steward', 'GET', '/resources/list?search=remote%3Aprod')).body.data;
    assert.equal(list.total, 6, 'never shown as empty');
    assert.equal(list.remotes.find((s: { remote: string }) => s.remote === 'prod').status, 'down');
    pveDown = false;
  });

  test('a restart serves the cached snapshots at once', async () => {
    const fresh = new SnapshotCache(t.deps.store, () => now);
    fresh.load();
    assert.equal(fresh.indexed('prod').length, 6);
    assert.equal(fresh.state('prod')!.status, 'down');
    assert.equal(fresh.credentialIds('prod', 'customer')!.has('qemu/100'), true);
  });

  test('deleting a remote drops its cached data', async () => {
    assert.equal((await call(app, 'root@steward', 'DELETE', '/remotes/backup')).status, 200);
    const list = (await call(app, 'root@steward', 'GET', '/resources/list?search=remote-type%3Apbs')).body.data;
    assert.equal(list.total, 0);
    assert.equal(t.deps.store.collection('cache').get('res/backup'), undefined);
  });
});
