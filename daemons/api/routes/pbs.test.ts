import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, testDeps } from '../../../tests/fixtures/api-deps.ts';
import type { TestDeps } from '../../../tests/fixtures/api-deps.ts';
import { startFakeProxmox } from '../../../tests/fixtures/fake-proxmox.ts';
import type { FakeProxmox, SeenRequest } from '../../../tests/fixtures/fake-proxmox.ts';
import { createApp } from '../app.ts';

let t: TestDeps;
let app: ReturnType<typeof createApp>;
let fake: FakeProxmox;
let down = false;
let now = 1_700_000_000_000;

before(async () => {
  t = await testDeps({ now: () => now });
  app = createApp(t.deps);
  fake = await startFakeProxmox((r: SeenRequest) => {
    if (down) return { status: 503, reason: 'Service Unavailable' };
    const p = r.path.split('?')[0];
    if (p === '/api2/json/nodes/localhost/status') return { data: { cpu: 0.1, memory: { used: 1, total: 4 }, uptime: 9 } };
    if (p === '/api2/json/status/datastore-usage') return { data: [{ store: 'store1', total: 1000, used: 800, avail: 200, 'estimated-full-date': 1_800_000_000 }] };
    if (p === '/api2/json/admin/datastore/store1/snapshots') return { data: [{ 'backup-type': 'vm', 'backup-id': '100', 'backup-time': 1_700_000_000, size: 123, verification: { state: 'ok' } }] };
    if (p === '/api2/json/admin/datastore/store1/rrd') return { data: [{ time: 1_700_000_000, total: 1000, used: 800 }] };
    if (p === '/api2/json/admin/gc') return { data: [{ store: 'store1', 'last-run-state': 'ok', 'last-run-endtime': 1_700_000_100 }] };
    if (p === '/api2/json/admin/verify') return { data: [{ id: 'v-1', store: 'store1', 'last-run-state': 'verification failed', schedule: 'daily' }] };
    if (p === '/api2/json/admin/prune' || p === '/api2/json/admin/sync') return { data: [] };
    return { data: [] };
  });
  await call(app, 'root@steward', 'POST', '/remotes', { id: 'backup', type: 'pbs', endpoints: [{ host: '127.0.0.1', port: fake.port, fingerprint: fake.fingerprint }], credentials: [{ name: 'a', kind: 'token', tokenid: 'steward@pbs!a', secret: 'x' }] });
  await t.deps.remotes.poller.refresh('backup');
});
after(async () => {
  await fake.close();
  await t.close();
});

test('PBS: datastore usage with estimated full date, snapshots (guest, time, size, verified), job results', async () => {
  const st = (await call(app, 'root@steward', 'GET', '/pbs/remotes/backup/datastore/store1/status')).body.data;
  assert.deepEqual({ ...st, age: undefined }, { store: 'store1', total: 1000, used: 800, avail: 200, 'estimated-full-date': 1_800_000_000, status: 'available', age: undefined });
  const snaps = (await call(app, 'root@steward', 'GET', '/pbs/remotes/backup/datastore/store1/snapshots')).body.data;
  assert.deepEqual(snaps, [{ 'backup-type': 'vm', 'backup-id': '100', 'backup-time': 1_700_000_000, size: 123, verification: { state: 'ok' } }]);
  const jobs = (await call(app, 'root@steward', 'GET', '/pbs/remotes/backup/jobs')).body.data;
  assert.deepEqual(jobs.map((j: { kind: string; 'last-run-state': string }) => `${j.kind}:${j['last-run-state']}`), ['gc:ok', 'verify:verification failed']);
  assert.equal((await call(app, 'root@steward', 'GET', '/pbs/remotes/backup/datastore/nope/status')).status, 404);
});

test('metrics: rrddata is kept, and served while the remote is down', async () => {
  const first = await call(app, 'root@steward', 'GET', '/pbs/remotes/backup/datastore/store1/rrddata?timeframe=day&cf=MAX');
  assert.deepEqual(first.body.data, [{ time: 1_700_000_000, total: 1000, used: 800 }]);
  down = true;
  now += 3_600_000;
  const again = await call(app, 'root@steward', 'GET', '/pbs/remotes/backup/datastore/store1/rrddata?timeframe=day&cf=MAX');
  assert.equal(again.status, 200);
  assert.deepEqual(again.body.data, first.body.data);
  assert.equal((await call(app, 'root@steward', 'GET', '/pbs/remotes/backup/datastore/store1/rrddata?timeframe=fortnight')).body.code, 'validation');
  down = false;
});
