// The poller, the snapshot cache and /resources against the simulator's demo remotes:
// `prod` (prod-cluster, with a full and a pool-limited token), `lab` (lab-3 down in the
// demo — and listed first, so the first endpoint refuses) and `backup` (PBS). What Steward
// lists must be what the remotes answer; search, ACL filtering, freshness and restarts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Resource } from '../../../shared/resources.ts';
import { call, testDeps } from '../../../tests/fixtures/api-deps.ts';
import type { TestDeps } from '../../../tests/fixtures/api-deps.ts';
import { startSim } from '../../../tests/sim/index.ts';
import type { Sim, SimRemote } from '../../../tests/sim/index.ts';
import type { PbsState, PveState } from '../../../tests/sim/state.ts';
import { SimClient } from '../../../tests/sim/testing.ts';
import { createApp } from '../app.ts';
import { SnapshotCache } from '../remotes/snapshot-cache.ts';

type R = Resource & Record<string, unknown>;
const isGuest = (r: R) => r.type === 'qemu' || r.type === 'lxc';
const GiB = 1024 ** 3;

describe('poller, snapshot cache and /resources', () => {
  let t: TestDeps;
  let app: ReturnType<typeof createApp>;
  let sim: Sim;
  // One clock for Steward and the simulator: usage figures are functions of time.
  let now = Date.parse('2026-11-23T10:00:00Z');
  const remote = (id: string): SimRemote => sim.remotes.find((r) => r.id === id)!;
  const token = (id: string, name: string) => {
    const c = remote(id).credentials.find((x) => x.name === name) as { tokenid: string; secret: string };
    return { name, kind: 'token', tokenid: c.tokenid, secret: c.secret };
  };
  const list = async (user = 'root@steward', qs = '') => (await call(app, user, 'GET', `/resources/list?limit=100000${qs}`)).body.data as { total: number; resources: R[]; remotes: { remote: string; status: string; age?: number }[] };
  let all: R[] = [];

  before(async () => {
    sim = await startSim({ scenario: 'demo', now: () => now });
    t = await testDeps({ now: () => now, clientOptions: { retries: 2, backoffMs: 10 } });
    app = createApp(t.deps);
    const add = async (body: Record<string, unknown>) => assert.equal((await call(app, 'root@steward', 'POST', '/remotes', body)).status, 201);
    const eps = (id: string, order: number[]) => order.map((i) => remote(id).nodes[i]!).map((n) => ({ host: n.host, port: n.port, fingerprint: n.fingerprint }));
    await add({ id: 'prod', type: 'pve', endpoints: eps('prod-cluster', [0, 1, 2]), credentials: [token('prod-cluster', 'steward'), { ...token('prod-cluster', 'customer-a'), name: 'customer' }] });
    await add({ id: 'lab', type: 'pve', endpoints: eps('lab', [2, 0, 1]), credentials: [token('lab', 'steward')] });
    await add({ id: 'backup', type: 'pbs', endpoints: eps('backup', [0]), credentials: [token('backup', 'steward')] });
    // Two recent failures on prod (starting a running VM fails in its task): one of the
    // customer's pool, one not.
    const direct = new SimClient(remote('prod-cluster'), { credential: 'steward' });
    for (const vmid of [100, 200]) assert.equal((await direct.post(`/nodes/pve-prod-1/qemu/${vmid}/status/start`)).status, 200);
    now += 10_000;
    sim.world.tasks.advance();
  });
  after(async () => {
    await t.close();
    await sim.close();
  });

  test('refresh-now: the first endpoint is down, the next serves; the remote is degraded and says why', async () => {
    const res = await call(app, 'root@steward', 'POST', '/remotes/lab/refresh');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.data.status, 'degraded');
    assert.ok(res.body.data.problems.some((p: string) => /node lab-3 is offline/.test(p)), JSON.stringify(res.body.data.problems));
    assert.ok(res.body.data.problems.some((p: string) => /connection refused/.test(p)));
    assert.match(res.body.data.endpoints[0].error, /refused/);
    assert.equal(res.body.data.age, 0);
    const states = (await call(app, 'root@steward', 'POST', '/remotes/refresh')).body.data as { remote: string; status: string; problems?: string[] }[];
    assert.equal(states.find((s) => s.remote === 'prod')!.status, 'ok');
    // The demo PBS's last GC on `lab` failed: a job result (its GC status, its task), not a
    // datastore problem, so the remote is ok.
    assert.equal(states.find((s) => s.remote === 'backup')!.status, 'ok');
    // A datastore PBS cannot open is listed with an error: degraded, with the reason, until it is back.
    const labStore = (sim.world.remote('backup') as PbsState).datastores.find((d) => d.name === 'lab')!;
    labStore.unavailable = 'unable to open chunk store at "/mnt/datastore/lab/.chunks" - No such file or directory (os error 2)';
    try {
      const backup = (await call(app, 'root@steward', 'POST', '/remotes/backup/refresh')).body.data as { status: string; problems: string[] };
      assert.equal(backup.status, 'degraded');
      assert.deepEqual(backup.problems, [`datastore lab: ${labStore.unavailable}`]);
      assert.equal((await list('root@steward', '&search=remote:backup%20type:datastore')).resources.find((r) => r.name === 'lab')!.status, 'unavailable');
    } finally {
      labStore.unavailable = undefined;
    }
    assert.equal((await call(app, 'root@steward', 'POST', '/remotes/backup/refresh')).body.data.status, 'ok');
    const slow = t.deps.remotes.cache.slow('lab') as { nodes: Record<string, { updates: unknown[] }> };
    const labNode = (sim.world.remote('lab') as PveState).nodes[0]!;
    assert.equal(slow.nodes['lab-1']!.updates.length, labNode.updates.length, 'updates fetched for online nodes');
    assert.ok(labNode.updates.length > 0);
    assert.equal(slow.nodes['lab-3'], undefined, 'not for offline ones');
  });

  test('the list: all resources with their remote, in Proxmox field names, as the remotes answer them', async () => {
    const res = await list();
    all = res.resources;
    const everything = ((await new SimClient(remote('prod-cluster'), { credential: 'steward' }).get('/cluster/resources')).data as { type: string }[]).map((x) => x.type);
    assert.ok(everything.includes('sdn') && everything.includes('pool'), 'the cluster lists sdn zones and pools too');
    assert.deepEqual([...new Set(all.map((r) => r.type))].sort(), ['datastore', 'lxc', 'node', 'qemu', 'storage'], 'sdn entries and pools left out');
    const pveRaw = async (id: string) => ((await new SimClient(remote(id), { credential: 'steward' }).get('/cluster/resources')).data as Record<string, unknown>[]).filter((x) => ['qemu', 'lxc', 'node', 'storage'].includes(String(x.type)));
    const prodRaw = await pveRaw('prod-cluster');
    const labRaw = await pveRaw('lab');
    const usage = (await new SimClient(remote('backup'), { credential: 'steward' }).get('/status/datastore-usage')).data as { store: string; 'estimated-full-date': number }[];
    assert.equal(res.total, prodRaw.length + labRaw.length + 1 + usage.length, 'every guest, node and storage, the PBS host and its datastores');
    for (const [remoteId, raw] of [['prod', prodRaw], ['lab', labRaw]] as const) {
      for (const x of raw) {
        const mine = all.find((r) => r.remote === remoteId && r.id === x.id)!;
        assert.ok(mine, `${remoteId} ${String(x.id)}`);
        for (const [k, v] of Object.entries(mine)) {
          if (k === 'remote' || k === 'remote-type' || k === 'template' || k === 'shared') continue;
          // Nodes and storages are named after themselves when the remote gives no name.
          const want = k === 'name' && x.name === undefined ? (x.type === 'node' ? x.node : x.storage) : x[k];
          if (k === 'name' && x.name === undefined) assert.ok(x.type === 'node' || x.type === 'storage');
          assert.deepEqual(v, want, `${remoteId} ${String(x.id)} ${k}`);
        }
      }
    }
    const vm = all.find((r) => r.remote === 'prod' && r.id === 'qemu/200')!;
    assert.deepEqual([vm['remote-type'], vm.vmid, vm.pool, vm.template, vm.node], ['pve', 200, 'customer-a', false, 'pve-prod-1']);
    assert.equal(all.find((r) => r.id === 'qemu/9000')!.template, true);
    assert.ok(all.filter((r) => r.remote === 'lab' && r.node === 'lab-3' && isGuest(r)).every((r) => r.status === 'unknown'), "a down node's guests are unknown");
    const ds = all.find((r) => r.type === 'datastore' && r.name === 'prod')!;
    assert.equal(ds['estimated-full-date'], usage.find((u) => u.store === 'prod')!['estimated-full-date']);
    assert.deepEqual(res.remotes.map((s) => `${s.remote}:${s.status}`), ['backup:ok', 'lab:degraded', 'prod:ok']);
  });

  test('search: a table of queries, each matching what the documented rule selects', async () => {
    const tags = (r: R) => String(r.tags ?? '').split(/[;, ]/).filter(Boolean);
    const someTag = tags(all.find((r) => tags(r).length > 0)!)[0]!;
    const frac = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : undefined);
    const cases: [string, (r: R) => boolean][] = [
      ['type:qemu', (r) => r.type === 'qemu'],
      ['type:vm', isGuest],
      ['+type:vm +status:stopped', (r) => isGuest(r) && r.status === 'stopped'],
      ['+type:vm -status:running', (r) => isGuest(r) && r.status !== 'running'],
      ['type:lxc type:storage', (r) => r.type === 'lxc' || r.type === 'storage'],
      ['+type:lxc +node:pve-prod-1', (r) => r.type === 'lxc' && r.node === 'pve-prod-1'],
      ['pool:customer-a', (r) => r.pool === 'customer-a'],
      ['+remote:lab -type:node -type:storage', (r) => r.remote === 'lab' && isGuest(r)],
      ['remote-type:pbs', (r) => r['remote-type'] === 'pbs'],
      ['template:yes', (r) => r.template === true],
      [`tag:${someTag}`, (r) => tags(r).includes(someTag)],
      ['status:unknown', (r) => r.status === 'unknown'],
      ['cpu>50%', (r) => typeof r.cpu === 'number' && r.cpu > 0.5],
      ['+type:vm cpu<=0.05', (r) => isGuest(r) && typeof r.cpu === 'number' && r.cpu <= 0.05],
      ['mem>=80%', (r) => (frac(r.mem, r.maxmem) ?? -1) >= 0.8],
      ['+type:storage disk>0.5', (r) => r.type === 'storage' && (frac(r.disk, r.maxdisk) ?? -1) > 0.5],
      ['maxmem>4G', (r) => typeof r.maxmem === 'number' && r.maxmem > 4 * GiB],
      ['+type:vm vmid>=200', (r) => isGuest(r) && Number(r.vmid) >= 200],
      ['+type:vm uptime<1d', (r) => isGuest(r) && typeof r.uptime === 'number' && r.uptime < 86_400],
      ['id:qemu/20', (r) => r.id.includes('qemu/20')],
      ['"pve-prod-2"', (r) => String(r.name ?? '').toLowerCase().includes('pve-prod-2') || r.id.includes('pve-prod-2')],
    ];
    for (const [search, rule] of cases) {
      const got = (await list('root@steward', `&search=${encodeURIComponent(search)}`)).resources.map((r) => `${r.remote}/${r.id}`).sort();
      const want = all.filter(rule).map((r) => `${r.remote}/${r.id}`).sort();
      assert.ok(want.length > 0 && want.length < all.length, `${search}: a case that selects something, not everything (${want.length})`);
      assert.deepEqual(got, want, search);
    }
    const q = async (qs: string) => (await call(app, 'root@steward', 'GET', `/resources/list?${qs}`)).body.data;
    const byMem = (await q('search=type%3Avm&sort=mem&order=desc')).resources as R[];
    const fracs = byMem.map((r) => frac(r.mem, r.maxmem)).filter((x) => x !== undefined);
    assert.deepEqual(fracs, [...fracs].sort((a, b) => b - a), 'sorted by memory usage, highest first');
    const page = await q('sort=name&start=1&limit=2');
    assert.equal(page.total, all.length);
    const names = all.map((r) => r.name).sort((a, b) => (a === b ? 0 : a === undefined ? 1 : b === undefined ? -1 : a < b ? -1 : 1));
    assert.deepEqual(page.resources.map((r: R) => r.name), names.slice(1, 3));
    assert.equal((await call(app, 'root@steward', 'GET', '/resources/list?limit=0')).body.code, 'validation');
  });

  test('a malformed search is a 400 pointing at the position', async () => {
    const cases: [string, number, RegExp][] = [
      ['type:qemu cpu>>9', 15, /'>9' is not a percentage/],
      ['cpu>lots', 5, /'lots' is not a percentage like 80% or a fraction like 0\.8/],
      ['name:"web', 6, /unterminated quote/],
      ['+type:vm colour:red', 10, /unknown category 'colour'/],
      ['type:vm +', 9, /'\+' must be followed by a term/],
      ['uptime<', 8, /missing value after 'uptime<'/],
      ['name>3', 5, /'>' compares numbers/],
      ['template:maybe', 10, /template takes yes\/no/],
      ['maxmem>lots', 8, /a size like 512M or 4G/],
    ];
    for (const [search, position, problem] of cases) {
      const bad = await call(app, 'root@steward', 'GET', `/resources/list?search=${encodeURIComponent(search)}`);
      assert.equal(bad.status, 400, search);
      assert.equal(bad.body.code, 'search_syntax');
      assert.match(bad.body.message!, new RegExp(`^search syntax error at position ${position}: `), search);
      assert.match(bad.body.message!, problem, search);
      assert.equal(bad.body.errors!.search, bad.body.message);
    }
  });

  test('ACL: a group grant with a limited credential sees only what that token sees; a view grant sees the view; others nothing', async () => {
    t.grants.set('customer@steward', [{ path: '/remotes/prod', role: 'Audit', credential: 'customer' }]);
    const seen = await list('customer@steward');
    const pool = [...(sim.world.remote('prod-cluster') as PveState).guests.values()].filter((g) => g.pool === 'customer-a').map((g) => `${g.type}/${g.vmid}`).sort();
    // What the pool-limited token itself lists: its guests, and the nodes (PVE shows them without figures).
    const theirs = ((await new SimClient(remote('prod-cluster'), { credential: 'customer-a' }).get('/cluster/resources')).data as { id: string; type: string }[]).filter((x) => ['qemu', 'lxc', 'node', 'storage'].includes(x.type));
    assert.deepEqual(seen.resources.map((r) => r.id).sort(), theirs.map((x) => x.id).sort(), 'what the customer token sees');
    assert.deepEqual(seen.resources.filter(isGuest).map((r) => r.id).sort(), pool, "the customer's pool, no other guest of the cluster");
    assert.ok(all.filter((r) => r.remote === 'prod').length > seen.total + 10, 'really less than the full token');
    assert.deepEqual(seen.remotes.map((s) => s.remote), ['prod']);
    const status = (await call(app, 'customer@steward', 'GET', '/resources/status')).body.data;
    assert.equal(status.qemu.total + status.lxc.total, pool.length);
    assert.deepEqual(status['failed-tasks'].map((x: { id: string }) => x.id), ['200'], "their guest's failed task, none of objects the limited token cannot see (VM 100 failed too)");

    assert.equal((await call(app, 'root@steward', 'POST', '/views', { id: 'storage-watch', search: 'type:storage type:datastore', 'exclude-remotes': ['backup'] })).status, 201);
    t.grants.set('viewer@steward', [{ path: '/views/storage-watch', role: 'Audit' }]);
    const storages = all.filter((r) => r.type === 'storage').map((r) => `${r.remote}/${r.id}`).sort();
    assert.deepEqual((await list('viewer@steward')).resources.map((r) => `${r.remote}/${r.id}`).sort(), storages);
    assert.deepEqual((await call(app, 'viewer@steward', 'GET', '/views')).body.data.map((v: { id: string }) => v.id), ['storage-watch']);
    assert.equal((await list('viewer@steward', '&search=view%3Astorage-watch')).total, storages.length);
    assert.equal((await call(app, 'customer@steward', 'GET', '/resources/list?search=view%3Astorage-watch')).body.code, 'search_syntax', 'a view you hold no role on is unknown to you');
    const bad = await call(app, 'root@steward', 'POST', '/views', { id: 'broken', search: 'cpu>' });
    assert.equal(bad.body.code, 'search_syntax');

    t.grants.set('nobody@steward', []);
    const none = await list('nobody@steward');
    assert.equal(none.total, 0);
    assert.deepEqual(none.remotes, []);
  });

  test('status and top-entities for the dashboard', async () => {
    const s = (await call(app, 'root@steward', 'GET', '/resources/status')).body.data;
    const count = (type: string) => {
      const c: Record<string, number> = {};
      for (const r of all.filter((x) => x.type === type)) {
        c.total = (c.total ?? 0) + 1;
        const k = r.template ? 'template' : String(r.status ?? 'unknown');
        c[k] = (c[k] ?? 0) + 1;
      }
      return c;
    };
    assert.deepEqual(s.qemu, count('qemu'));
    assert.deepEqual(s.lxc, count('lxc'));
    assert.deepEqual(s.nodes, count('node'));
    assert.equal(s.nodes.offline, 1, 'lab-3');
    assert.equal(s.remotes.degraded, 1, 'lab, with lab-3 offline');
    assert.equal(s.remotes.ok, 2);
    assert.deepEqual(s['failed-tasks'].map((x: { remote: string; id: string; status: string }) => `${x.remote} ${x.id} ${x.status}`).sort(), ['prod 100 VM 100 already running', 'prod 200 VM 200 already running']);
    const top = (await call(app, 'root@steward', 'GET', '/resources/top-entities?limit=1')).body.data;
    const busiest = all.filter((r) => isGuest(r) && typeof r.cpu === 'number').sort((a, b) => (b.cpu as number) - (a.cpu as number))[0]!;
    assert.equal(top['guest-cpu'][0].id, busiest.id);
    const fullest = all.filter((r) => r.type === 'storage' || r.type === 'datastore').map((r) => ({ r, v: (r.disk ?? 0) / (r.maxdisk || 1) })).sort((a, b) => b.v - a.v)[0]!;
    assert.equal(top.storage[0].id, fullest.r.id);
    assert.equal(top.storage[0].value, fullest.v);
  });

  test('staleness: without a refresh the data ages, and every view of the remote says how old it is', async () => {
    const before = (await call(app, 'root@steward', 'GET', '/remotes/lab/status')).body.data;
    now += 300_000;
    const after = (await call(app, 'root@steward', 'GET', '/remotes/lab/status')).body.data;
    assert.equal(after.age, before.age + 300);
    assert.equal(after['last-success'], before['last-success']);
    assert.equal((await list()).remotes.find((s) => s.remote === 'lab')!.age, after.age);
    assert.equal((await call(app, 'root@steward', 'GET', '/resources/status')).body.data.remotes.list.find((s: { remote: string }) => s.remote === 'lab').age, after.age);
    // A refresh makes it fresh again.
    assert.equal((await call(app, 'root@steward', 'POST', '/remotes/lab/refresh')).body.data.age, 0);
  });

  test('a failing remote is down with its error and the time of the last success — its data stays, aging', async () => {
    assert.equal((await call(app, 'root@steward', 'POST', '/remotes/prod/refresh')).body.data.status, 'ok');
    sim.setFault({ remote: 'prod-cluster' }, { kind: 'http', status: 500 });
    await sim.settled();
    now += 120_000;
    try {
      const res = await call(app, 'root@steward', 'POST', '/remotes/prod/refresh');
      assert.equal(res.body.data.status, 'down');
      assert.match(res.body.data.error, /HTTP 500/);
      assert.equal(res.body.data.age, 120);
      const prod = await list('root@steward', '&search=remote%3Aprod');
      assert.equal(prod.total, all.filter((r) => r.remote === 'prod').length, 'never shown as empty');
      assert.equal(prod.remotes.find((s) => s.remote === 'prod')!.status, 'down');
    } finally {
      sim.setFault({ remote: 'prod-cluster' }, null);
      await sim.settled();
    }
  });

  test('a task list that fails or times out does not fail the refresh; an unreachable remote is down', async () => {
    // Only /cluster/tasks gets a 1 ms timeout: the remote answers it too late.
    const client = t.deps.remotes.clients.client(t.deps.remotes.repo.get('prod'), null);
    const get = client.get.bind(client);
    client.get = (path, query, opts) => get(path, query, path === '/cluster/tasks' ? { ...opts, timeoutMs: 1 } : opts);
    try {
      const res = await call(app, 'root@steward', 'POST', '/remotes/prod/refresh');
      assert.equal(res.body.data.status, 'ok', JSON.stringify(res.body.data));
      assert.equal((await list('root@steward', '&search=remote%3Aprod')).total, all.filter((r) => r.remote === 'prod').length);
    } finally {
      client.get = get;
    }
    sim.setFault({ remote: 'prod-cluster' }, { kind: 'down' });
    await sim.settled();
    try {
      const res = await call(app, 'root@steward', 'POST', '/remotes/prod/refresh');
      assert.equal(res.body.data.status, 'down');
      assert.equal(res.body.data['error-code'], 'remote_unreachable');
    } finally {
      sim.setFault({ remote: 'prod-cluster' }, null);
      await sim.settled();
    }
  });

  test('a restart serves the cached snapshots at once', async () => {
    const fresh = new SnapshotCache(t.deps.store, () => now);
    fresh.load();
    assert.equal(fresh.table('prod').length, all.filter((r) => r.remote === 'prod').length);
    assert.equal(fresh.state('prod')!.status, 'down');
    assert.equal(fresh.credentialIds('prod', 'customer')!.has('qemu/200'), true);
    assert.equal(fresh.credentialIds('prod', 'customer')!.has('qemu/100'), false);
  });

  test('a refresh records its figures in the metrics history; a recording that fails leaves the refresh ok', async () => {
    now += 60_000;
    assert.equal((await call(app, 'root@steward', 'POST', '/remotes/prod/refresh')).body.data.status, 'ok');
    const table = t.deps.remotes.cache.table('prod');
    const row = [...Array(table.length).keys()].find((i) => table.isGuest(i) && table.str('status', i) === 'running' && (table.num('cpu', i) ?? 0) > 0)!;
    const minute = Math.floor(now / 60_000) * 60;
    const point = t.deps.remotes.metrics.read('prod', table.ids[row]!, 'hour', 'MAX', now).find((p) => p.time === minute);
    assert.ok(point && Math.abs(point.cpu! - table.num('cpu', row)!) < 1e-6 && point.maxmem === table.num('maxmem', row), `${table.ids[row]}: ${JSON.stringify(point)}`);
    const metrics = t.deps.remotes.metrics;
    const record = metrics.record.bind(metrics);
    metrics.record = () => Promise.reject(new Error('MDB_MAP_FULL'));
    try {
      now += 60_000;
      const res = await call(app, 'root@steward', 'POST', '/remotes/prod/refresh');
      assert.equal(res.body.data.status, 'ok', JSON.stringify(res.body.data));
    } finally {
      metrics.record = record;
    }
  });

  test('deleting a remote drops its cached data', async () => {
    const store = t.deps.remotes.cache.table('backup').ids.find((id) => id.startsWith('datastore/'))!;
    assert.equal(t.deps.remotes.metrics.has('backup', store), true);
    assert.equal((await call(app, 'root@steward', 'DELETE', '/remotes/backup')).status, 200);
    assert.equal(t.deps.remotes.metrics.has('backup', store), false, 'and its metrics history');
    assert.equal((await list('root@steward', '&search=remote-type%3Apbs')).total, 0);
    assert.equal(t.deps.store.collection('cache').get('res/backup'), undefined);
  });
});
