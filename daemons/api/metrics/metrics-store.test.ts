import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Resource } from '../../../shared/resources.ts';
import { ResourceTable } from '../resources/table.ts';
import { Store } from '../store/store.ts';
import { ARCHIVES } from './archive.ts';
import { MetricsStore, RETENTION_S } from './metrics-store.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function open(dir = mkdtempSync(join(tmpdir(), 'steward-metrics-'))): Promise<{ store: Store; metrics: MetricsStore; dir: string }> {
  dirs.push(dir);
  const store = await Store.open(dir);
  // As the API starts it: the heads the last run left, read into memory.
  const metrics = new MetricsStore(store);
  metrics.load();
  return { store, metrics, dir };
}

const T0 = 1_700_000_000 - (1_700_000_000 % 86_400); // a midnight, UTC
const table = (resources: Resource[]) => new ResourceTable('pve', 'pve', resources);
const guest = (over: Partial<Resource> & Record<string, unknown> = {}): Resource => ({
  remote: 'pve', 'remote-type': 'pve', id: 'qemu/100', type: 'qemu', node: 'n1', status: 'running',
  cpu: 0.5, maxcpu: 4, mem: 1e9, maxmem: 4e9, disk: 0, maxdisk: 3e10, netin: 0, netout: 0, diskread: 0, diskwrite: 0, ...over,
} as Resource);
const slotCount = (s: Store) => ({
  entryCount: ['metrics-1m', 'metrics-30m', 'metrics-12h'].reduce((n, name) => n + (s.root.openDB({ name, encoding: 'binary', keyEncoding: 'binary' }).getStats() as { entryCount: number }).entryCount, 0),
});

test('every refresh adds a minute; counters become rates; an hour reads back minute by minute', async () => {
  const { store, metrics } = await open();
  for (let m = 0; m < 60; m++) {
    // 6,000 bytes in per minute = 100 B/s; the guest restarts at minute 30 (counters reset).
    const netin = m < 30 ? m * 6000 : (m - 30) * 6000;
    await metrics.record('pve', (T0 + 600 + m * 60) * 1000, table([guest({ cpu: m / 100, netin, diskwrite: m * 60_000 })]));
  }
  const hour = metrics.read('pve', 'qemu/100', 'hour', 'AVERAGE', (T0 + 600 + 59 * 60 + 30) * 1000);
  assert.equal(hour.length, 60);
  assert.equal(hour[0]!.time, T0 + 600);
  assert.ok(Math.abs(hour[10]!.cpu! - 0.1) < 1e-6);
  assert.equal(hour[0]!.netin, undefined, 'no rate before the second sample');
  assert.equal(hour[1]!.netin, 100);
  assert.equal(hour[30]!.netin, undefined, 'the reset minute is unknown, not a negative or a huge rate');
  assert.equal(hour[31]!.netin, 100);
  assert.equal(hour[5]!.diskwrite, 1000, 'disk I/O, which the wire resource leaves out, is kept for the history');
  assert.equal(hour[59]!.maxmem, 4e9);
  const week = metrics.read('pve', 'qemu/100', 'week', 'MAX', (T0 + 4200) * 1000);
  const p = week.find((x) => x.time === T0)!;
  assert.ok(Math.abs(p.cpu! - 0.49) < 1e-6, 'the hour 00:00–01:00 holds minutes 0–49, their maximum');
  const running = metrics.read('pve', 'qemu/100', 'week', 'AVERAGE', (T0 + 4200) * 1000).find((x) => x.time === T0 + 3600)!;
  assert.ok(Math.abs(running.cpu! - 0.545) < 1e-6, 'the 30 minutes under way (minutes 50–59) are read too');
  await store.close();
});

test('a sample stands for the minutes since the last one (poll interval above a minute); a long silence is a gap', async () => {
  const { store, metrics } = await open();
  await metrics.record('pve', T0 * 1000, table([guest({ cpu: 0.1 })]), 180);
  await metrics.record('pve', (T0 + 180) * 1000, table([guest({ cpu: 0.4 })]), 180);
  await metrics.record('pve', (T0 + 3600) * 1000, table([guest({ cpu: 0.7 })]), 180);
  const hour = metrics.read('pve', 'qemu/100', 'hour', 'AVERAGE', (T0 + 3600) * 1000);
  const at = (t: number) => hour.find((p) => p.time === t);
  assert.deepEqual([at(T0 + 60)?.cpu, at(T0 + 120)?.cpu, at(T0 + 180)?.cpu].map((v) => v && Math.round(v * 10) / 10), [0.4, 0.4, 0.4]);
  assert.deepEqual(at(T0 + 1200), { time: T0 + 1200 }, '57 minutes without a sample are a gap, not zeros');
  const day = metrics.read('pve', 'qemu/100', 'day', 'AVERAGE', (T0 + 3600) * 1000);
  assert.ok(Math.abs(day.find((p) => p.time === T0)!.cpu! - (0.1 + 0.4 * 3) / 4) < 1e-6, 'a ten-minute point weighs each minute once');
  await store.close();
});

test('history survives closing and reopening the store', async () => {
  const first = await open();
  for (let m = 0; m < 5; m++) await first.metrics.record('pve', (T0 + m * 60) * 1000, table([guest({ cpu: (m + 1) / 10 }), { remote: 'pve', 'remote-type': 'pve', id: 'node/n1', type: 'node', status: 'online', cpu: 0.3, maxcpu: 8, mem: 2, maxmem: 8, disk: 1, maxdisk: 10 }]));
  const before = first.metrics.read('pve', 'node/n1', 'hour', 'AVERAGE', (T0 + 300) * 1000);
  const weekBefore = first.metrics.read('pve', 'qemu/100', 'week', 'AVERAGE', (T0 + 300) * 1000);
  assert.ok(Math.abs(weekBefore.at(-1)!.cpu! - 0.3) < 1e-6, 'the 30-minute slot under way (0.1 … 0.5) is read with the week');
  // As on shutdown (the poller's stop): the heads kept in memory are written.
  await first.metrics.flush();
  await first.store.close();
  const again = await open(first.dir);
  const after = again.metrics.read('pve', 'node/n1', 'hour', 'AVERAGE', (T0 + 300) * 1000);
  assert.deepEqual(after, before);
  assert.deepEqual(again.metrics.read('pve', 'qemu/100', 'week', 'AVERAGE', (T0 + 300) * 1000), weekBefore);
  // The next sample after the restart continues the counters: a rate, not a gap.
  await again.metrics.record('pve', (T0 + 300) * 1000, table([guest({ cpu: 0.2, netin: 0 })]));
  await again.metrics.record('pve', (T0 + 360) * 1000, table([guest({ cpu: 0.2, netin: 6000 })]));
  assert.equal(again.metrics.read('pve', 'qemu/100', 'hour', 'AVERAGE', (T0 + 360) * 1000).at(-1)!.netin, 100);
  assert.deepEqual(after.find((p) => p.time === T0), { time: T0, cpu: 0.30000001192092896, maxcpu: 8, memused: 2, memtotal: 8, rootused: 1, roottotal: 10 });
  await again.store.close();
});

test('a crash loses no minute, only what the slots under way gathered since their head was last written', async () => {
  const first = await open();
  for (let m = 0; m < 5; m++) await first.metrics.record('pve', (T0 + m * 60) * 1000, table([guest({ cpu: 0.2 + m / 100 })]));
  const hour = first.metrics.read('pve', 'qemu/100', 'hour', 'AVERAGE', (T0 + 300) * 1000);
  await first.store.close(); // no flush
  const again = await open(first.dir);
  assert.deepEqual(again.metrics.read('pve', 'qemu/100', 'hour', 'AVERAGE', (T0 + 300) * 1000), hour);
  // The head was written when the object was first seen: the slot under way holds that sample.
  const week = again.metrics.read('pve', 'qemu/100', 'week', 'AVERAGE', (T0 + 300) * 1000);
  assert.ok(Math.abs(week.at(-1)!.cpu! - 0.2) < 1e-6);
  // The head says the last sample was minute 0: the next one stands for the minutes since,
  // but the minutes the crashed run recorded are kept, and only minute 5 is filled.
  await again.metrics.record('pve', (T0 + 360) * 1000, table([guest({ cpu: 0.4 })]));
  const later = again.metrics.read('pve', 'qemu/100', 'hour', 'AVERAGE', (T0 + 360) * 1000);
  const cpu = (m: number) => Math.round(later.find((p) => p.time === T0 + m * 60)!.cpu! * 100) / 100;
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map(cpu), [0.2, 0.21, 0.22, 0.23, 0.24, 0.4, 0.4], 'recording goes on, over no minute already recorded');
  // Only the first sample after the restart spares what is there: later ones fill as usual.
  await again.metrics.record('pve', (T0 + 600) * 1000, table([guest({ cpu: 0.6 })]));
  const after = again.metrics.read('pve', 'qemu/100', 'hour', 'AVERAGE', (T0 + 600) * 1000);
  assert.deepEqual([7, 8, 9, 10].map((m) => Math.round(after.find((p) => p.time === T0 + m * 60)!.cpu! * 100) / 100), [0.6, 0.6, 0.6, 0.6]);
  await again.store.close();
});

test('after a shutdown that wrote the heads, the first sample fills the minutes since as any sample does', async () => {
  const first = await open();
  await first.metrics.record('pve', T0 * 1000, table([guest({ cpu: 0.2 })]), 300);
  await first.metrics.flush();
  await first.store.close();
  const again = await open(first.dir);
  // A chart opened before the first refresh imported the remote's own minutes 1 and 2.
  await again.metrics.importPoints('pve', 'qemu/100', 'hour', 'AVERAGE', [{ time: T0 + 60, cpu: 0.9 }, { time: T0 + 120, cpu: 0.9 }], (T0 + 150) * 1000);
  await again.metrics.record('pve', (T0 + 300) * 1000, table([guest({ cpu: 0.5 })]), 300);
  const hour = again.metrics.read('pve', 'qemu/100', 'hour', 'AVERAGE', (T0 + 300) * 1000);
  assert.deepEqual([1, 2, 3, 4, 5].map((m) => Math.round(hour.find((p) => p.time === T0 + m * 60)!.cpu! * 100) / 100), [0.5, 0.5, 0.5, 0.5, 0.5]);
  await again.store.close();
  // That record took the shutdown's mark away: a crash now is a crash again.
  const third = await open(first.dir);
  await third.metrics.record('pve', (T0 + 600) * 1000, table([guest({ cpu: 0.7 })]), 300);
  const later = third.metrics.read('pve', 'qemu/100', 'hour', 'AVERAGE', (T0 + 600) * 1000);
  assert.deepEqual([3, 5, 6, 10].map((m) => Math.round(later.find((p) => p.time === T0 + m * 60)!.cpu! * 100) / 100), [0.5, 0.5, 0.7, 0.7], 'the minutes the unflushed run recorded are kept');
  await third.store.close();
});

test('a crash and a restart within the same minute: the first sample adds to the minute the crashed run recorded', async () => {
  const first = await open();
  await first.metrics.record('pve', T0 * 1000, table([guest({ cpu: 0.2 })]));
  await first.metrics.record('pve', (T0 + 60) * 1000, table([guest({ cpu: 0.4 })]));
  await first.store.close(); // no flush: the head says minute 0
  const again = await open(first.dir);
  await again.metrics.record('pve', (T0 + 90) * 1000, table([guest({ cpu: 0.6 })]));
  const hour = again.metrics.read('pve', 'qemu/100', 'hour', 'AVERAGE', (T0 + 90) * 1000);
  const minute = hour.find((p) => p.time === T0 + 60)!;
  assert.ok(Math.abs(minute.cpu! - 0.5) < 1e-6, `minute 1 averages both samples, not only the new one (${minute.cpu})`);
  await again.store.close();
});

test('a poll interval above a minute: the minutes between two samples are the new sample\'s, over what a chart\'s backfill put there', async () => {
  const { store, metrics } = await open();
  await metrics.record('pve', T0 * 1000, table([guest({ cpu: 0.1, mem: 1 })]), 300);
  // A chart opened meanwhile imported the remote's own minutes (no memory figure).
  const points = [{ time: T0 + 60, cpu: 0.9 }, { time: T0 + 120, cpu: 0.9 }];
  assert.equal(await metrics.importPoints('pve', 'qemu/100', 'hour', 'AVERAGE', points, (T0 + 150) * 1000), 2);
  await metrics.record('pve', (T0 + 300) * 1000, table([guest({ cpu: 0.5, mem: 1 })]), 300);
  const hour = metrics.read('pve', 'qemu/100', 'hour', 'AVERAGE', (T0 + 300) * 1000);
  for (const m of [1, 2, 3, 4, 5]) {
    const p = hour.find((x) => x.time === T0 + m * 60)!;
    assert.ok(Math.abs(p.cpu! - 0.5) < 1e-6 && p.mem === 1, `minute ${m}: ${JSON.stringify(p)}`);
  }
  await store.close();
});

test('the remote\'s own RRD fills the history before Steward and the fields it does not sample', async () => {
  const { store, metrics } = await open();
  const now = T0 + 7200;
  await metrics.record('pve', now * 1000, table([{ remote: 'pve', 'remote-type': 'pve', id: 'node/n1', type: 'node', status: 'online', cpu: 0.9, maxcpu: 8 }]));
  const remotePoints = Array.from({ length: 70 }, (_, i) => ({ time: (Math.floor(now / 60) - 69 + i) * 60, cpu: 0.1, netin: 500, loadavg: 1.5 }));
  assert.ok((await metrics.importPoints('pve', 'node/n1', 'hour', 'AVERAGE', remotePoints, now * 1000)) > 0);
  const hour = metrics.read('pve', 'node/n1', 'hour', 'AVERAGE', now * 1000);
  assert.deepEqual(hour.at(-1), { time: now, cpu: 0.8999999761581421, maxcpu: 8, netin: 500, loadavg: 1.5 }, "Steward's own sample is kept; the rest is filled");
  assert.deepEqual(hour[0], { time: now - 3540, cpu: 0.10000000149011612, netin: 500, loadavg: 1.5 });
  assert.equal(await metrics.importPoints('pve', 'node/n1', 'hour', 'AVERAGE', remotePoints, now * 1000), 0, 'importing again changes nothing');
  // A month of the remote's 12-hour points lands in the year archive, where nothing else is.
  const yearPoints = Array.from({ length: 70 }, (_, i) => ({ time: (Math.floor(now / 604_800) - 69 + i) * 604_800, cpu: 0.2 }));
  await metrics.importPoints('pve', 'node/n1', 'year', 'AVERAGE', yearPoints, now * 1000);
  const year = metrics.read('pve', 'node/n1', 'year', 'AVERAGE', now * 1000);
  assert.equal(year.length, 365);
  assert.ok(year.filter((p) => p.cpu !== undefined).length >= 364);
  await store.close();
});

test('size is bounded: a year of samples fills the archives, and later months only overwrite', async () => {
  const { store, metrics } = await open();
  // Every 367 minutes (a prime) for a year: samples fall on most slots of every archive.
  const every = 367 * 60;
  const reached = new Set<string>();
  let t = T0;
  const sample = async () => {
    await metrics.record('pve', t * 1000, table([guest({ cpu: (t % 97) / 97 })]));
    ARCHIVES.forEach((a, i) => reached.add(`${i}/${Math.floor(t / a.step) % a.size}`));
    t += every;
  };
  while (t < T0 + 365 * 86_400) await sample();
  const total = ARCHIVES.reduce((n, a) => n + a.size, 0);
  assert.ok(reached.size > total * 0.8, `${reached.size} of ${total}`);
  // The 30-minute and 12-hour slots under way are kept with the object until they end.
  assert.equal(slotCount(store).entryCount, reached.size - (ARCHIVES.length - 1), 'one record per slot reached, no more');
  const pages = (store.root.getStats() as { lastPageNumber: number }).lastPageNumber;
  const year = reached.size;
  while (t < T0 + 455 * 86_400) await sample();
  assert.ok(slotCount(store).entryCount <= total);
  assert.ok(slotCount(store).entryCount - year <= total - year, 'later samples write into the same slots');
  assert.ok((store.root.getStats() as { lastPageNumber: number }).lastPageNumber <= pages + 16, 'and the file does not grow');
  await store.close();
});

test('objects gone for the retention period are dropped; a deleted remote loses all its archives', async () => {
  const { store, metrics } = await open();
  await metrics.record('pve', T0 * 1000, table([guest(), guest({ id: 'lxc/101', type: 'lxc' })]));
  await metrics.record('other', T0 * 1000, table([guest()]));
  const later = T0 + RETENTION_S + 3600;
  await metrics.record('pve', later * 1000, table([guest()]));
  assert.equal(metrics.has('pve', 'lxc/101'), false, 'lxc/101 vanished a month ago');
  assert.equal(metrics.has('pve', 'qemu/100'), true);
  assert.equal(metrics.read('pve', 'lxc/101', 'month', 'AVERAGE', later * 1000).length, 0);
  // A new object takes the dropped one's place in memory; neither it nor its neighbour is disturbed.
  await metrics.record('pve', (later + 60) * 1000, table([guest({ cpu: 0.25 }), guest({ id: 'qemu/200', cpu: 0.75 })]));
  const at = (id: string) => metrics.read('pve', id, 'hour', 'AVERAGE', (later + 60) * 1000).at(-1)!.cpu;
  assert.equal(at('qemu/100'), 0.25);
  assert.equal(at('qemu/200'), 0.75);
  assert.equal(metrics.read('pve', 'qemu/100', 'hour', 'AVERAGE', (later + 60) * 1000).at(-2)!.cpu, 0.5, 'the minute before is qemu/100\'s own');
  assert.equal(await metrics.removeRemote('pve'), 2);
  assert.equal(metrics.has('pve', 'qemu/100'), false);
  assert.equal(slotCount(store).entryCount, 1, 'only the other remote\'s guest is left: its minute (the slots under way are with the object)');
  assert.equal(metrics.read('other', 'qemu/100', 'hour', 'AVERAGE', T0 * 1000).at(-1)!.cpu, 0.5);
  await store.close();
});
