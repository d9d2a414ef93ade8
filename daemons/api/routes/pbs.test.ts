// The /pbs routes against the simulator's demo PBS (`backup`: datastores `prod` and `lab`, a
// failing GC, verification and sync job): what Steward shows must be what the host says.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, testDeps } from '../../../tests/fixtures/api-deps.ts';
import type { TestDeps } from '../../../tests/fixtures/api-deps.ts';
import { startSim } from '../../../tests/sim/index.ts';
import type { Sim, SimRemote } from '../../../tests/sim/index.ts';
import type { PbsState, PveState } from '../../../tests/sim/state.ts';
import { SimClient } from '../../../tests/sim/testing.ts';
import { createApp } from '../app.ts';
import type { Point } from '../metrics/archive.ts';

let t: TestDeps;
let app: ReturnType<typeof createApp>;
let sim: Sim;
let backup: SimRemote;
let direct: SimClient;
// One clock for Steward and the simulator: usage figures move with time, tasks end with it.
let now = Date.parse('2026-11-23T10:00:00Z');

before(async () => {
  sim = await startSim({ scenario: 'demo', taskSpeed: 1, now: () => now, recordRequests: true });
  backup = sim.remotes.find((r) => r.id === 'backup')!;
  direct = new SimClient(backup, { credential: 'steward' });
  // Steward's own retries: a GET that meets a connection the host dropped (down, restart) tries again.
  t = await testDeps({ now: () => now, clientOptions: { retries: 2, backoffMs: 10 } });
  app = createApp(t.deps);
  const token = backup.credentials.find((c) => c.name === 'steward') as { tokenid: string; secret: string };
  // The demo's token that may read only the lab namespace of the lab datastore (PBS ACL path
  // /datastore/lab/lab), for a Steward group limited to it.
  const labNs = backup.credentials.find((c) => c.name === 'lab-ns') as { tokenid: string; secret: string };
  const n = backup.nodes[0]!;
  const res = await call(app, 'root@steward', 'POST', '/remotes', { id: 'backup', type: 'pbs', endpoints: [{ host: n.host, port: n.port, fingerprint: n.fingerprint }], credentials: [{ name: 'a', kind: 'token', tokenid: token.tokenid, secret: token.secret }, { name: 'lab-ns', kind: 'token', tokenid: labNs.tokenid, secret: labNs.secret }] });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  await t.deps.remotes.poller.refresh('backup');
});
after(async () => {
  await t.close();
  await sim.close();
});

test('PBS: datastore usage with estimated full date, snapshots (guest, time, size, verified), job results', async () => {
  const usage = (await direct.get('/status/datastore-usage')).data as { store: string; total: number; used: number; avail: number; 'estimated-full-date': number; error?: string }[];
  const prod = usage.find((u) => u.store === 'prod')!;
  const st = (await call(app, 'root@steward', 'GET', '/pbs/remotes/backup/datastore/prod/status')).body.data;
  assert.deepEqual({ ...st, age: undefined }, { store: 'prod', total: prod.total, used: prod.used, avail: prod.total - prod.used, 'estimated-full-date': prod['estimated-full-date'], status: 'available', age: undefined });
  assert.ok(prod['estimated-full-date'] > now / 1000);
  const lab = (await call(app, 'root@steward', 'GET', '/pbs/remotes/backup/datastore/lab/status')).body.data;
  assert.ok(lab.used / lab.total > 0.9, 'the demo lab store is 91 % full');

  const theirs = (await direct.get('/admin/datastore/prod/snapshots')).data as Record<string, unknown>[];
  const snaps = (await call(app, 'root@steward', 'GET', '/pbs/remotes/backup/datastore/prod/snapshots')).body.data as Record<string, unknown>[];
  assert.ok(snaps.length > 0);
  const pick = (s: Record<string, unknown>) => ({ type: s['backup-type'], id: s['backup-id'], time: s['backup-time'], size: s.size, verified: (s.verification as { state?: string } | undefined)?.state });
  assert.deepEqual(snaps.map(pick), theirs.map(pick));
  const vms = (await call(app, 'root@steward', 'GET', '/pbs/remotes/backup/datastore/prod/snapshots?backup-type=vm')).body.data as { 'backup-type': string }[];
  assert.ok(vms.length > 0 && vms.length < snaps.length && vms.every((s) => s['backup-type'] === 'vm'));

  const jobs = (await call(app, 'root@steward', 'GET', '/pbs/remotes/backup/jobs')).body.data as { kind: string; id: string; store?: string; 'last-run-state'?: string }[];
  const expected: string[] = [];
  for (const kind of ['gc', 'verify', 'prune', 'sync']) {
    for (const j of (await direct.get(`/admin/${kind}`)).data as { id?: string; store: string; 'last-run-state'?: string }[]) expected.push(`${kind}:${j.id ?? j.store}:${j['last-run-state'] ?? '-'}`);
  }
  assert.deepEqual(jobs.map((j) => `${j.kind}:${j.id}:${j['last-run-state'] ?? '-'}`), expected);
  // The demo's failed GC on `lab`: PBS reports it in the GC status, as Steward's job list
  // does; the datastore itself is fine (no `error` in its usage entry).
  const gcLab = (await direct.get('/admin/datastore/lab/gc')).data as { 'last-run-state'?: string };
  assert.match(String(gcLab['last-run-state']), /^unable to start garbage collection/);
  assert.equal(jobs.find((j) => j.kind === 'gc' && j.id === 'lab')!['last-run-state'], gcLab['last-run-state'], 'the failed GC shows as failed');
  assert.equal(usage.find((u) => u.store === 'lab')!.error, undefined);
  assert.match(String(jobs.find((j) => j.kind === 'sync')!['last-run-state']), /Connection timed out/);
  assert.equal((await call(app, 'root@steward', 'GET', '/pbs/remotes/backup/datastore/nope/status')).status, 404);
});

test('PBS namespaces: the lab cluster\'s snapshots in namespace lab, the namespace list, a bad ns refused, a namespace-limited token', async () => {
  type Snap = { 'backup-type': string; 'backup-id': string; 'backup-time': number };
  const key = (s: Snap) => `${s['backup-type']}/${s['backup-id']}/${s['backup-time']}`;
  const get = async (user: string, url: string) => call(app, user, 'GET', `/pbs/remotes/backup/datastore/lab/${url}`);

  // The namespaces as PBS lists them: the root first (as ""), then `lab`.
  const theirNs = (await direct.get('/admin/datastore/lab/namespace')).data as { ns: string }[];
  assert.deepEqual(theirNs.map((x) => x.ns), ['', 'lab']);
  assert.deepEqual((await get('root@steward', 'namespaces')).body.data, theirNs);
  assert.deepEqual((await get('root@steward', 'namespaces?parent=lab&max-depth=0')).body.data, [{ ns: 'lab' }]);

  // The lab cluster writes into namespace lab: its guests' snapshots are there, not in the root.
  sim.requests.length = 0;
  const root = (await get('root@steward', 'snapshots')).body.data as Snap[];
  const inLab = (await get('root@steward', 'snapshots?ns=lab')).body.data as Snap[];
  assert.deepEqual(sim.requests.map((r) => r.path), ['/api2/json/admin/datastore/lab/snapshots', '/api2/json/admin/datastore/lab/snapshots?ns=lab'], 'one request each: the cache is keyed by namespace');
  assert.deepEqual(inLab.map(key), ((await direct.get('/admin/datastore/lab/snapshots', { ns: 'lab' })).data as Snap[]).map(key));
  assert.deepEqual(root.map(key), ((await direct.get('/admin/datastore/lab/snapshots')).data as Snap[]).map(key));
  const labGuest = [...(sim.world.remote('lab') as PveState).guests.values()].find((g) => !g.noBackup && !g.template)!;
  assert.ok(inLab.some((s) => s['backup-id'] === String(labGuest.vmid)), 'a lab guest backed up into namespace lab');
  assert.ok(!root.some((s) => s['backup-id'] === String(labGuest.vmid)), 'and not into the root');
  assert.deepEqual(((await get('root@steward', 'snapshots?ns=lab&backup-type=vm')).body.data as Snap[]).map(key), inLab.filter((s) => s['backup-type'] === 'vm').map(key));
  // The empty ns is the root namespace, as in PBS.
  assert.deepEqual(((await get('root@steward', 'snapshots?ns=')).body.data as Snap[]).map(key), root.map(key));

  // Namespaces PBS would refuse are refused here, saying why, and nothing is sent.
  sim.requests.length = 0;
  const bad: [string, RegExp][] = [
    ['snapshots?ns=lab/../prod', /^invalid query parameters: ns: must be a PBS namespace/],
    ['snapshots?ns=lab%2F', /^invalid query parameters: ns: must be a PBS namespace/],
    ['snapshots?ns=-lab', /^invalid query parameters: ns: must be a PBS namespace/],
    ['snapshots?ns=a/b/c/d/e/f/g/h', /^invalid query parameters: ns: a PBS namespace is at most 7 levels deep$/],
    [`snapshots?ns=${'a'.repeat(257)}`, /^invalid query parameters: ns: /],
    ['namespaces?parent=lab%20x', /^invalid query parameters: parent: must be a PBS namespace/],
    ['namespaces?max-depth=8', /^invalid query parameters: max-depth: /],
    ['snapshots?namespace=lab', /^invalid query parameters: /],
  ];
  for (const [url, message] of bad) {
    const res = await get('root@steward', url);
    assert.equal(res.status, 400, url);
    assert.equal(res.body.code, 'validation', url);
    assert.match(res.body.message!, message, url);
  }
  assert.equal((await get('root@steward', 'snapshots?ns=a/b/c/d/e/f/g')).status, 200, 'seven levels are allowed (an absent namespace lists nothing)');
  assert.deepEqual(sim.requests.map((r) => r.path), ['/api2/json/admin/datastore/lab/snapshots?ns=a%2Fb%2Fc%2Fd%2Fe%2Ff%2Fg']);

  // A Steward group using the namespace-limited token: PBS lists it only `lab`, its
  // snapshots there, and refuses the root namespace and the other datastore.
  t.grants.set('lab-team@steward', [{ path: '/remotes/backup', role: 'Audit', credential: 'lab-ns' }]);
  assert.deepEqual((await get('lab-team@steward', 'namespaces')).body.data, [{ ns: 'lab' }]);
  assert.deepEqual(((await get('lab-team@steward', 'snapshots?ns=lab')).body.data as Snap[]).map(key), inLab.map(key));
  for (const url of ['/pbs/remotes/backup/datastore/lab/snapshots', '/pbs/remotes/backup/datastore/prod/snapshots', '/pbs/remotes/backup/datastore/prod/namespaces']) {
    const res = await call(app, 'lab-team@steward', 'GET', url);
    assert.equal(res.body.code, 'remote_forbidden', url);
    assert.equal(res.body.data, null, url);
  }
  // A caller holding only a view of the lab datastore has no role on the remote: neither
  // route answers it, whatever the namespace.
  assert.equal((await call(app, 'root@steward', 'POST', '/views', { id: 'lab-store', search: '+remote:backup +type:datastore +name:lab' })).status, 201);
  t.grants.set('store-viewer@steward', [{ path: '/views/lab-store', role: 'Audit' }]);
  for (const url of ['snapshots?ns=lab', 'namespaces']) assert.equal((await get('store-viewer@steward', url)).body.code, 'forbidden', url);
});

test('/resources/backups through a namespace-limited credential: only what PBS lets that credential list', async () => {
  // Another customer's guests on the same datastore: one in the root namespace, one in `other`.
  const lab = (sim.world.remote('backup') as PbsState).datastores.find((d) => d.name === 'lab')!;
  const template = lab.snapshots.find((s) => s.ns === 'lab')!;
  const theirs = [{ ...template, ns: '', id: '9001', owner: 'other@pbs' }, { ...template, ns: 'other', id: '9002', owner: 'other@pbs' }];
  lab.snapshots.push(...theirs);
  try {
    assert.equal((await call(app, 'root@steward', 'POST', '/remotes/backup/refresh')).status, 200);
    type Group = { store: string; ns?: string; 'backup-id': string };
    const seen = async (user: string) => {
      const res = await call(app, user, 'GET', '/resources/backups?remote=backup');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return (res.body.data as { remotes: { groups: Group[]; 'job-results': { kind: string; id: string }[] }[] }).remotes[0]!;
    };
    const all = await seen('root@steward');
    assert.ok(all.groups.some((g) => g['backup-id'] === '9001' && g.ns === undefined) && all.groups.some((g) => g['backup-id'] === '9002' && g.ns === 'other'), 'the default credential sees every namespace');
    t.grants.set('lab-team@steward', [{ path: '/remotes/backup', role: 'Audit', credential: 'lab-ns' }]);
    const mine = await seen('lab-team@steward');
    const inLab = all.groups.filter((g) => g.store === 'lab' && g.ns === 'lab');
    assert.ok(inLab.length > 0);
    assert.deepEqual(mine.groups.map((g) => `${g.store}/${g.ns ?? ''}/${g['backup-id']}`).sort(), inLab.map((g) => `${g.store}/${g.ns ?? ''}/${g['backup-id']}`).sort(), 'the groups of namespace lab only');
    // The job results as PBS lists them to that token.
    const asToken = new SimClient(backup, { credential: 'lab-ns' });
    const theirJobs: string[] = [];
    for (const kind of ['gc', 'verify', 'prune', 'sync']) {
      for (const j of (await asToken.get(`/admin/${kind}`, kind === 'sync' ? { 'sync-direction': 'all' } : undefined)).data as { id?: string; store: string }[]) theirJobs.push(`${kind}:${j.id ?? j.store}`);
    }
    assert.deepEqual(mine['job-results'].map((j) => `${j.kind}:${j.id}`), theirJobs);
  } finally {
    lab.snapshots.splice(lab.snapshots.length - theirs.length, theirs.length);
  }
});

test('metrics: Steward keeps the history, fills it from the host\'s RRD, and serves it while the host is down', async () => {
  type P = Point & { used: number; total: number; read_bytes: number; write_bytes: number };
  const close = (a: number | undefined, b: number, what: string) => assert.ok(a !== undefined && Math.abs(a - b) <= Math.abs(b) * 1e-6, `${what}: ${a} vs ${b}`);
  const theirs = (await direct.get('/admin/datastore/prod/rrd', { timeframe: 'day', cf: 'MAX' })).data as P[];
  const usage = ((await direct.get('/status/datastore-usage')).data as { store: string; used: number; total: number }[]).find((u) => u.store === 'prod')!;
  const first = (await call(app, 'root@steward', 'GET', '/pbs/remotes/backup/datastore/prod/rrddata?timeframe=day&cf=MAX')).body.data as P[];
  assert.equal(first.length, 144, 'a day of ten-minute points');
  const last = first.at(-1)!;
  assert.equal(last.time, now / 1000);
  close(last.used, usage.used, "the refresh's own sample");
  close(last.total, usage.total, 'total');
  // Three hours ago Steward did not exist: that history came from the host's RRD.
  const earlier = first.find((p) => p.time === now / 1000 - 3 * 3600)!;
  const their = theirs.find((p) => p.time === earlier.time)!;
  for (const f of ['used', 'total', 'read_bytes', 'write_bytes'] as const) close(earlier[f], their[f], f);

  sim.setFault({ remote: 'backup' }, { kind: 'down' });
  await sim.settled();
  now += 3_600_000;
  try {
    assert.equal((await t.deps.remotes.poller.refresh('backup')).status, 'down');
    sim.requests.length = 0;
    const again = await call(app, 'root@steward', 'GET', '/pbs/remotes/backup/datastore/prod/rrddata?timeframe=day&cf=MAX');
    assert.equal(again.status, 200);
    assert.deepEqual(sim.requests, [], 'a host known to be down is not asked');
    const points = again.body.data as P[];
    for (const p of points.filter((x) => x.time <= last.time)) assert.deepEqual(p, first.find((x) => x.time === p.time));
    const since = points.filter((x) => x.time > last.time);
    assert.equal(since.length, 6);
    assert.deepEqual(since.map((x) => Object.keys(x)), since.map(() => ['time']), 'the hour without samples is a gap');
    assert.equal((await call(app, 'root@steward', 'GET', '/pbs/remotes/backup/datastore/prod/rrddata?timeframe=fortnight')).body.code, 'validation');
  } finally {
    sim.setFault({ remote: 'backup' }, null);
    await sim.settled();
  }
});

test('PBS tasks: listed in /remotes/tasks, status and paged log followed through Steward, stopped (Manage), audited', async () => {
  const state = sim.world.remote('backup') as PbsState;
  // A garbage collection started on the host itself (a schedule), running for a minute of simulated time.
  const gc = sim.world.tasks.start({ remote: state, node: backup.nodes[0]!.name, type: 'garbage_collection', id: 'prod', user: 'root@pam', durationMs: 60_000, lines: ['starting garbage collection on store prod', 'Start GC phase1 (mark used chunks)', 'marked 10% (1 of 10 index files)'] });
  now += 30_000;
  assert.equal((await t.deps.remotes.poller.refresh('backup')).status, 'ok', 'up again');
  const listed = (await call(app, 'root@steward', 'GET', '/remotes/tasks?remote=backup')).body.data;
  const id = `backup!${gc.upid}`;
  const mine = listed.tasks.find((x: { id: string }) => x.id === id);
  assert.deepEqual({ ...mine, starttime: undefined }, { id, remote: 'backup', 'remote-type': 'pbs', upid: gc.upid, node: gc.node, type: 'garbage_collection', object: 'prod', user: 'root@pam', status: 'running', 'started-by-steward': false, starttime: undefined });
  assert.ok(listed.tasks.some((x: { status: string }) => x.status !== 'running'), "the host's finished tasks too");
  assert.equal((await call(app, 'root@steward', 'GET', '/remotes/tasks?remote=backup&status=running')).body.data.tasks.length, 1);

  const enc = encodeURIComponent(id);
  const status = (await call(app, 'root@steward', 'GET', `/pbs/remotes/backup/tasks/${enc}/status`)).body.data;
  assert.equal(status.status, 'running');
  assert.equal(status.id, id);
  assert.equal(status.type, 'garbage_collection');
  // Following the log: the lines written so far, then from the next line on.
  const head = (await call(app, 'root@steward', 'GET', `/pbs/remotes/backup/tasks/${enc}/log`)).body.data as { n: number; t: string }[];
  assert.deepEqual(head, [{ n: 1, t: 'starting garbage collection on store prod' }, { n: 2, t: 'Start GC phase1 (mark used chunks)' }]);
  now += 20_000;
  assert.deepEqual((await call(app, 'root@steward', 'GET', `/pbs/remotes/backup/tasks/${enc}/log?start=2&limit=10`)).body.data, [{ n: 3, t: 'marked 10% (1 of 10 index files)' }]);

  t.grants.set('auditor@steward', [{ path: '/remotes/backup', role: 'Audit' }]);
  assert.equal((await call(app, 'auditor@steward', 'GET', `/pbs/remotes/backup/tasks/${enc}/status`)).status, 200);
  assert.equal((await call(app, 'auditor@steward', 'DELETE', `/pbs/remotes/backup/tasks/${enc}`)).status, 403);

  sim.requests.length = 0;
  assert.equal((await call(app, 'root@steward', 'DELETE', `/pbs/remotes/backup/tasks/${enc}`)).status, 200);
  assert.deepEqual(sim.requests.map((r) => `${r.method} ${r.path}`), [`DELETE /api2/json/nodes/localhost/tasks/${encodeURIComponent(gc.upid)}`]);
  assert.equal(t.audits.at(-1)!.action, 'task.stop');
  assert.equal(t.audits.at(-1)!.result, 'ok');
  const stopped = (await call(app, 'root@steward', 'GET', `/pbs/remotes/backup/tasks/${enc}/status`)).body.data;
  assert.deepEqual([stopped.status, stopped.exitstatus], ['stopped', 'interrupted by signal']);
  const log = (await call(app, 'root@steward', 'GET', `/pbs/remotes/backup/tasks/${enc}/log?limit=100`)).body.data as { t: string }[];
  assert.equal(log.at(-1)!.t, 'TASK ERROR: interrupted by signal');

  assert.equal((await call(app, 'root@steward', 'GET', `/pve/remotes/backup/tasks/${enc}/status`)).body.code, 'validation', 'a PBS remote is not followed through /pve');
  assert.equal((await call(app, 'root@steward', 'GET', `/pbs/remotes/backup/tasks/${encodeURIComponent(`other!${gc.upid}`)}/status`)).body.code, 'validation', 'a task id names its remote');
});
