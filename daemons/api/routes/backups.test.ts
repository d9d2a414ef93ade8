// The backups part of the slow refresh and /resources/backups against the simulator's demo:
// `prod` (prod-cluster: a nightly job for all guests but two, a pool-limited customer token),
// `lab` (a job excluding 7 guests; lab-3 down) and `backup` (PBS: groups of those guests, a
// failed GC, verification and sync on its stores). What Steward shows must be what the
// remotes answer; a limited caller sees less; an item that fails keeps its last list.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BackupRemote, BackupsResult } from '../../../shared/backups.ts';
import { call, testDeps } from '../../../tests/fixtures/api-deps.ts';
import type { TestDeps } from '../../../tests/fixtures/api-deps.ts';
import { startSim } from '../../../tests/sim/index.ts';
import type { Sim, SimRemote } from '../../../tests/sim/index.ts';
import type { PbsState, PveState } from '../../../tests/sim/state.ts';
import { SimClient } from '../../../tests/sim/testing.ts';
import { createApp } from '../app.ts';
import { SnapshotCache } from '../remotes/snapshot-cache.ts';

type Raw = Record<string, unknown>;

describe('backups: slow refresh and /resources/backups', () => {
  let t: TestDeps;
  let app: ReturnType<typeof createApp>;
  let sim: Sim;
  let now = Date.parse('2026-11-23T10:00:00Z');
  const remote = (id: string): SimRemote => sim.remotes.find((r) => r.id === id)!;
  const direct = (id: string) => new SimClient(remote(id), { credential: 'steward' });
  const token = (id: string, name: string) => {
    const c = remote(id).credentials.find((x) => x.name === name) as { tokenid: string; secret: string };
    return { name, kind: 'token', tokenid: c.tokenid, secret: c.secret };
  };
  const backups = async (user = 'root@steward', qs = '') => {
    const res = await call(app, user, 'GET', `/resources/backups${qs}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.data as BackupsResult;
  };
  const of = (r: BackupsResult, id: string) => r.remotes.find((x) => x.remote === id)!;

  before(async () => {
    sim = await startSim({ scenario: 'demo', now: () => now });
    t = await testDeps({ now: () => now, clientOptions: { retries: 2, backoffMs: 10 } });
    app = createApp(t.deps);
    const add = async (body: Raw) => assert.equal((await call(app, 'root@steward', 'POST', '/remotes', body)).status, 201);
    const eps = (id: string) => remote(id).nodes.map((n) => ({ host: n.host, port: n.port, fingerprint: n.fingerprint }));
    await add({ id: 'prod', type: 'pve', endpoints: eps('prod-cluster'), credentials: [token('prod-cluster', 'steward'), { ...token('prod-cluster', 'customer-a'), name: 'customer' }] });
    await add({ id: 'lab', type: 'pve', endpoints: eps('lab'), credentials: [token('lab', 'steward')] });
    await add({ id: 'backup', type: 'pbs', endpoints: eps('backup'), credentials: [token('backup', 'steward')] });
    // Refresh-now fetches the slower items too.
    for (const id of ['prod', 'lab', 'backup']) assert.equal((await call(app, 'root@steward', 'POST', `/remotes/${id}/refresh`)).status, 200);
  });
  after(async () => {
    await t.close();
    await sim.close();
  });

  test('PVE: the backup jobs and the guests in none, as the cluster answers them', async () => {
    const r = await backups();
    for (const [id, simId] of [['prod', 'prod-cluster'], ['lab', 'lab']] as const) {
      const mine = of(r, id);
      assert.deepEqual(mine.errors, []);
      assert.equal(mine.age, 0);
      const missing = (await direct(simId).get('/cluster/backup-info/not-backed-up')).data as Raw[];
      assert.ok(missing.length > 0);
      assert.deepEqual(mine['not-backed-up'], missing);
      const jobs = (await direct(simId).get('/cluster/backup')).data as Raw[];
      assert.deepEqual(mine.jobs!.map((j) => [j.id, j.schedule, j.storage, j.enabled, j.all ?? false, j['next-run']]), jobs.map((j) => [j.id, j.schedule, j.storage, j.enabled !== 0, j.all === 1, j['next-run']]));
      assert.equal(mine.groups, undefined);
    }
    // The demo: all of prod but the two guests marked for no backup; lab's job excludes seven.
    assert.deepEqual(of(r, 'prod')['not-backed-up']!.map((g) => `${g.type}/${g.vmid} ${g.name}`), ['qemu/120 scratch-build', 'qemu/121 test-win11']);
    assert.deepEqual(of(r, 'prod').jobs!.find((j) => j.id === 'backup-local-db')!.vmid, [103, 104]);
    assert.deepEqual(of(r, 'lab').jobs![0]!.exclude, of(r, 'lab')['not-backed-up']!.map((g) => g.vmid));
    assert.equal(of(r, 'lab')['not-backed-up']!.length, 7);
    assert.equal(r.summary['not-backed-up'], 9);
  });

  test('PBS: backup groups per datastore and the last GC/verify/prune/sync results, failures marked', async () => {
    const pbs = of(await backups(), 'backup');
    assert.equal(pbs.jobs, undefined);
    // Every namespace's groups, each with its namespace: the lab cluster writes into `lab`.
    for (const store of ['prod', 'lab']) {
      const theirs: Raw[] = [];
      for (const { ns } of (await direct('backup').get(`/admin/datastore/${store}/namespace`)).data as { ns: string }[]) {
        const list = (await direct('backup').get(`/admin/datastore/${store}/groups`, ns ? { ns } : undefined)).data as Raw[];
        theirs.push(...list.map((g) => ({ ...g, ns })));
      }
      assert.ok(theirs.length > 0);
      const pick = (g: Raw) => [g.ns || undefined, g['backup-type'], g['backup-id'], g['last-backup'], g['backup-count'], g.owner, g.comment];
      assert.deepEqual(pbs.groups!.filter((g) => g.store === store).map(pick), theirs.map(pick));
    }
    assert.deepEqual([...new Set(pbs.groups!.map((g) => `${g.store}:${g.ns ?? ''}`))], ['prod:', 'lab:lab']);
    // PBS groups are the PVE guests its jobs back up: prod's VM 100 is in the prod store.
    assert.ok(pbs.groups!.some((g) => g.store === 'prod' && g['backup-type'] === 'vm' && g['backup-id'] === '100'));
    const labGuest = [...(sim.world.remote('lab') as PveState).guests.values()].find((g) => !g.noBackup && !g.template)!;
    assert.ok(pbs.groups!.some((g) => g.store === 'lab' && g.ns === 'lab' && g['backup-id'] === String(labGuest.vmid)));
    assert.ok(!pbs.groups!.some((g) => g.store === 'prod' && g['backup-id'] === '120'), 'never backed up');
    const expected: string[] = [];
    for (const kind of ['gc', 'verify', 'prune', 'sync']) {
      for (const j of (await direct('backup').get(`/admin/${kind}`)).data as Raw[]) expected.push(`${kind}:${String(j.id ?? j.store)}:${String(j['last-run-state'])}`);
    }
    assert.deepEqual(pbs['job-results']!.map((j) => `${j.kind}:${j.id}:${j['last-run-state']}`), expected);
    const failed = pbs['job-results']!.filter((j) => j.failed).map((j) => `${j.kind}:${j.id}`).sort();
    assert.deepEqual(failed, ['gc:lab', 'sync:s-offsite', 'verify:v-lab']);
    assert.match(pbs['job-results']!.find((j) => j.id === 'v-lab')!['last-run-state']!, /verification failed/);
    assert.equal(pbs['job-results']!.find((j) => j.kind === 'gc' && j.id === 'lab')!['still-bad'], 2);
    assert.equal((await backups()).summary['failed-jobs'], 3);
    assert.deepEqual((await backups('root@steward', '?remote=backup')).remotes.map((x) => x.remote), ['backup']);
  });

  test('a limited caller sees only their guests and the jobs that include them; a view only its guests', async () => {
    t.grants.set('customer@steward', [{ path: '/remotes/prod', role: 'Audit', credential: 'customer' }]);
    const r = await backups('customer@steward');
    assert.deepEqual(r.remotes.map((x) => x.remote), ['prod'], "no other remote's guests or jobs");
    const prod = of(r, 'prod');
    assert.deepEqual(prod['not-backed-up'], [], 'the two unprotected guests are not theirs');
    // The nightly job includes their pool's guests; the databases job (103, 104) none of theirs.
    assert.deepEqual(prod.jobs!.map((j) => j.id), ['backup-nightly-prod']);
    assert.equal(prod.jobs![0]!.exclude, undefined, "the excluded guests are others'");
    assert.equal(r.summary['not-backed-up'], 0);

    assert.equal((await call(app, 'root@steward', 'POST', '/views', { id: 'lab-1', search: '+remote:lab +node:lab-1' })).status, 201);
    t.grants.set('viewer@steward', [{ path: '/views/lab-1', role: 'Audit' }]);
    const v = await backups('viewer@steward');
    assert.deepEqual(v.remotes.map((x) => x.remote), ['lab']);
    const lab = of(v, 'lab');
    const onNode = [...(sim.world.remote('lab') as PveState).guests.values()].filter((g) => g.node === 'lab-1' && g.noBackup).map((g) => g.vmid).sort((a, b) => a - b);
    assert.deepEqual(onNode, [110, 119]);
    assert.deepEqual(lab['not-backed-up']!.map((g) => g.vmid), onNode);
    assert.deepEqual(lab.jobs!.map((j) => [j.id, j.exclude]), [['backup-lab-weekly', onNode]]);

    // A view of one PBS datastore: its job results, nothing of the other store — and not its
    // groups, which name every owner's guests (the snapshot routes refuse a view-only caller too).
    assert.equal((await call(app, 'root@steward', 'POST', '/views', { id: 'lab-store', search: '+remote:backup +type:datastore +name:lab' })).status, 201);
    t.grants.set('store-viewer@steward', [{ path: '/views/lab-store', role: 'Audit' }]);
    const sv = await backups('store-viewer@steward');
    assert.deepEqual(sv.remotes.map((x) => x.remote), ['backup']);
    const store = of(sv, 'backup');
    assert.deepEqual(store.groups, []);
    assert.ok(of(await backups(), 'backup').groups!.some((g) => g.store === 'lab'), 'the datastore has groups');
    assert.deepEqual([...new Set(store['job-results']!.map((j) => j.store))], ['lab']);
    // The same datastore through a role on the remote: its groups, namespaced ones included.
    t.grants.set('store-auditor@steward', [{ path: '/remotes/backup', role: 'Audit' }]);
    assert.deepEqual([...new Set(of(await backups('store-auditor@steward'), 'backup').groups!.filter((g) => g.store === 'lab').map((g) => `${g.store}:${g.ns ?? ''}`))], ['lab:lab']);

    t.grants.set('nobody@steward', []);
    const none = { summary: { remotes: 0, refreshed: 0, 'not-backed-up': 0, 'failed-jobs': 0, errors: 0 }, remotes: [] };
    assert.deepEqual(await backups('nobody@steward'), none);
    assert.deepEqual(await backups('nobody@steward', '?summary=1'), none);
  });

  test('summary=1 answers the same counts without the lists, for each caller', async () => {
    for (const user of ['root@steward', 'customer@steward', 'viewer@steward', 'store-viewer@steward']) {
      const full = await backups(user);
      const short = await backups(user, '?summary=1');
      assert.deepEqual(short, { summary: full.summary, remotes: [] }, user);
      assert.equal(short.summary.remotes, full.remotes.length);
    }
    const all = (await backups('root@steward', '?summary=1')).summary;
    assert.deepEqual(all, { remotes: 3, refreshed: 3, 'not-backed-up': 9, 'failed-jobs': 3, errors: 0 });
    assert.deepEqual((await backups('customer@steward', '?summary=true')).summary, { remotes: 1, refreshed: 1, 'not-backed-up': 0, 'failed-jobs': 0, errors: 0 });
    assert.equal((await call(app, 'root@steward', 'GET', '/resources/backups?summary=maybe')).status, 400);
  });

  test('start/limit answer a page of the remotes, in order; the summary still counts them all', async () => {
    const full = await backups();
    assert.equal(full.remotes.length, 3);
    for (const [start, limit] of [[0, 1], [1, 1], [1, 5], [2, 1], [3, 1]] as const) {
      const page = await backups('root@steward', `?start=${start}&limit=${limit}`);
      assert.deepEqual(page.remotes, full.remotes.slice(start, start + limit), `start ${start} limit ${limit}`);
      assert.deepEqual(page.summary, full.summary);
    }
    assert.equal((await call(app, 'root@steward', 'GET', '/resources/backups?limit=0')).status, 400);
  });

  test('namespaces are read to 3 levels and 256 per datastore; a datastore with more is marked truncated', async () => {
    const prod = (sim.world.remote('backup') as PbsState).datastores.find((d) => d.name === 'prod')!;
    const snap = prod.snapshots[0]!;
    prod.snapshots.push({ ...snap, ns: 'a/b/c' }, { ...snap, ns: 'a/b/c/d' });
    try {
      await t.deps.remotes.poller.refreshSlow('backup');
      let pbs = of(await backups(), 'backup');
      assert.deepEqual(pbs.groups!.filter((g) => g.ns?.startsWith('a/')).map((g) => g.ns), ['a/b/c'], 'depth 4 is not read');
      assert.equal(pbs.truncated, undefined);
      prod.namespaces.push(...Array.from({ length: 300 }, (_, i) => `t${String(i).padStart(3, '0')}`));
      await t.deps.remotes.poller.refreshSlow('backup');
      pbs = of(await backups(), 'backup');
      assert.deepEqual(pbs.truncated, ['groups/prod']);
      assert.deepEqual(pbs.errors, []);
      // Root first, then in PBS's order up to the cap: `a/b/c` is among those read.
      assert.ok(pbs.groups!.some((g) => g.store === 'prod' && g.ns === undefined));
      assert.ok(pbs.groups!.some((g) => g.ns === 'a/b/c'));
    } finally {
      prod.snapshots.splice(-2, 2);
      prod.namespaces.length = 0;
      await t.deps.remotes.poller.refreshSlow('backup');
    }
    assert.equal(of(await backups(), 'backup').truncated, undefined);
  });

  test('an item that fails keeps its last list, named in errors with its last success; the others are fresh', async () => {
    const before = of(await backups(), 'backup');
    const labGroups = before.groups!.filter((g) => g.store === 'lab');
    const pbsState = sim.world.remote('backup') as PbsState;
    const i = pbsState.datastores.findIndex((d) => d.name === 'lab');
    const [lab] = pbsState.datastores.splice(i, 1);
    now += 600_000;
    try {
      // The store is gone from the host but still in the last resources refresh.
      await t.deps.remotes.poller.refreshSlow('backup');
      const r = await backups();
      const after = of(r, 'backup');
      assert.equal(after.age, 0);
      assert.deepEqual(after.errors.map((e) => e.item), ['groups/lab']);
      assert.match(after.errors[0]!.error, /HTTP 400/);
      assert.equal(after.errors[0]!['last-success'], before.time);
      assert.deepEqual(after.groups!.filter((g) => g.store === 'lab'), labGroups, 'the last good list stays');
      assert.ok(after.groups!.some((g) => g.store === 'prod'));
      assert.deepEqual(after['job-results']!.filter((j) => j.store === 'lab'), [], 'the job lists answered: the store has no jobs now');
      assert.equal(r.summary.errors, 1);
    } finally {
      pbsState.datastores.splice(i, 0, lab!);
    }
    // A remote that is down: every item fails, every list stays.
    sim.setFault({ remote: 'lab' }, { kind: 'down' });
    await sim.settled();
    try {
      const prev = of(await backups(), 'lab');
      now += 600_000;
      await t.deps.remotes.poller.refreshSlow('lab');
      const down = of(await backups(), 'lab');
      assert.deepEqual(down.errors.map((e) => e.item), ['jobs', 'not-backed-up']);
      assert.deepEqual(down['not-backed-up'], prev['not-backed-up']);
      assert.deepEqual(down.jobs, prev.jobs);
    } finally {
      sim.setFault({ remote: 'lab' }, null);
      await sim.settled();
    }
  });

  test('a restart serves the backups record at once; deleting the remote drops it', async () => {
    const fresh = new SnapshotCache(t.deps.store, () => now);
    fresh.load();
    const rec = fresh.backups('prod')!;
    assert.deepEqual(rec.notBackedUp!.list.map((g) => g.vmid), [120, 121]);
    assert.ok(Object.keys(fresh.backups('backup')!.groups!).includes('prod'));
    assert.equal((await call(app, 'root@steward', 'DELETE', '/remotes/backup')).status, 200);
    assert.equal(t.deps.store.collection('cache').get('backups/backup'), undefined);
    assert.equal((await backups()).remotes.find((x: BackupRemote) => x.remote === 'backup'), undefined);
  });
});
