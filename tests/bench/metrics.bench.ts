// Metrics history (daemons/api/metrics) at scale:
//  1. the cost of recording one refresh's samples of 200 remotes / 50,000 guests (as the
//     poller does: one transaction per remote, all remotes at once) vs a bare LMDB put of
//     the same number of records of the same size (one transaction per remote) — the LMDB
//     work a refresh does, the heads being in memory — a ratio measured in the same run;
//  2. bytes per guest-year: every slot of every archive written (what a year of samples
//     leaves behind, the archives being fixed-size), measured from LMDB's pages and file.
import { statSync } from 'node:fs';
import type { Resource } from '../../shared/resources.ts';
import { ARCHIVES, recordBytes } from '../../daemons/api/metrics/archive.ts';
import { MetricsStore } from '../../daemons/api/metrics/metrics-store.ts';
import { ResourceTable } from '../../daemons/api/resources/table.ts';
import { testDeps } from '../fixtures/api-deps.ts';

const REMOTES = Number(process.env.BENCH_REMOTES ?? 200);
const GUESTS_PER_REMOTE = Number(process.env.BENCH_GUESTS_PER_REMOTE ?? 250);
const YEAR_GUESTS = Number(process.env.BENCH_YEAR_GUESTS ?? 200);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function guests(remote: string, n: number, t: number): Resource[] {
  return Array.from({ length: n }, (_, i) => ({
    remote, 'remote-type': 'pve', id: `qemu/${100 + i}`, type: 'qemu', node: `n${i % 5}`, status: 'running',
    cpu: ((i * 7 + t) % 100) / 100, maxcpu: 4, mem: 1e9 + i, maxmem: 4e9, disk: 0, maxdisk: 3.2e10,
    netin: t * (1000 + i), netout: t * 500, diskread: t * 3000, diskwrite: t * 1500,
  }) as unknown as Resource);
}

interface PageStats { treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number; entryCount: number }
const pages = (s: PageStats) => s.treeBranchPageCount + s.treeLeafPageCount + s.overflowPages;

// 1. one refresh's samples vs bare puts
{
  const t = await testDeps();
  const metrics = t.deps.remotes.metrics;
  const remotes = Array.from({ length: REMOTES }, (_, i) => `pve${i}`);
  const bare = t.deps.store.root.openDB<Buffer, Buffer>({ name: 'bench-bare', encoding: 'binary', keyEncoding: 'binary' });
  const value = Buffer.alloc(recordBytes('guest'), 7);
  let clock = 1_700_000_000;
  const tables: (ResourceTable | undefined)[] = [];
  // The resource tables are the refresh's own (built by the poller anyway): built before timing.
  const refresh = async () => {
    clock += 60;
    // Each built over the remote's previous table, as the poller builds them.
    const resources = remotes.map((r, i) => (tables[i] = new ResourceTable(r, 'pve', guests(r, GUESTS_PER_REMOTE, clock), tables[i])));
    const t0 = performance.now();
    await Promise.all(remotes.map((r, i) => metrics.record(r, clock * 1000, resources[i]!)));
    return performance.now() - t0;
  };
  let lap = 0;
  const key = (archive: number, ri: number, i: number) => {
    const k = Buffer.allocUnsafe(7);
    k.writeUInt8(archive, 0);
    k.writeUInt16BE(lap % 1440, 1);
    k.writeUInt32BE(ri * GUESTS_PER_REMOTE + i, 3);
    return k;
  };
  /** One put of one record per guest, nothing else. */
  const bareRefresh = async () => {
    lap++;
    const t0 = performance.now();
    await Promise.all(remotes.map((_r, ri) => bare.transaction(() => {
      for (let i = 0; i < GUESTS_PER_REMOTE; i++) void bare.put(key(0, ri, i), value);
    })));
    return performance.now() - t0;
  };
  await refresh();
  await refresh();
  await bareRefresh();
  const ours: number[] = [];
  const base: number[] = [];
  for (let round = 0; round < 5; round++) {
    ours.push(await refresh());
    base.push(await bareRefresh());
  }
  const n = REMOTES * GUESTS_PER_REMOTE;
  const ms = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  console.log(`record one refresh of ${REMOTES} remotes / ${n} guests: ${median(ours).toFixed(0)} ms vs bare LMDB put of ${n} records of ${recordBytes('guest')} B: ${median(base).toFixed(0)} ms → ratio ${(median(ours) / median(base)).toFixed(2)}× (rounds: ${ms(ours)} | ${ms(base)})`);
  console.log(`RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB after ${ours.length + 2} refreshes (archives live in LMDB, not the heap)`);
  await t.close();
}

// 2. bytes per guest-year
{
  const t = await testDeps();
  const metrics = new MetricsStore(t.deps.store);
  const file = `${t.deps.config.DATA_DIR}/steward.lmdb`;
  const fileBefore = statSync(file).size;
  const end = 1_700_000_000 - (1_700_000_000 % 43_200);
  // Oldest first, each archive swept at its own step: afterwards every slot holds a record,
  // as after a year of samples; later samples only overwrite them.
  const times: number[] = [];
  ARCHIVES.slice().reverse().forEach((a) => {
    for (let s = a.size; s >= 1; s--) times.push(end - s * a.step);
  });
  const t0 = performance.now();
  for (const time of times.sort((a, b) => a - b)) await metrics.record('pve', time * 1000, new ResourceTable('pve', 'pve', guests('pve', YEAR_GUESTS, time)));
  const ms = performance.now() - t0;
  const db = (name: string) => t.deps.store.root.openDB({ name, encoding: 'binary', keyEncoding: 'binary' }).getStats() as PageStats;
  const archives = ['metrics-1m', 'metrics-30m', 'metrics-12h'].map(db);
  const slots = { entryCount: archives.reduce((n, a) => n + a.entryCount, 0), pages: archives.reduce((n, a) => n + pages(a), 0) };
  const objects = t.deps.store.root.openDB({ name: 'metrics-objects' }).getStats() as PageStats;
  const perGuestPages = ((slots.pages + pages(objects)) * 4096) / YEAR_GUESTS;
  const perGuestFile = (statSync(file).size - fileBefore) / YEAR_GUESTS;
  const perGuestRecords = (slots.entryCount * (6 + recordBytes('guest'))) / YEAR_GUESTS;
  const slotsPerGuest = ARCHIVES.reduce((s, a) => s + a.size, 0);
  console.log(`a year of samples, ${YEAR_GUESTS} guests (${slots.entryCount / YEAR_GUESTS} records each, ${slotsPerGuest} slots): ` +
    `${(perGuestPages / 1024).toFixed(0)} KiB per guest-year in LMDB pages, ${(perGuestFile / 1024).toFixed(0)} KiB of file growth, ` +
    `${(perGuestRecords / 1024).toFixed(0)} KiB of keys+values → ${((perGuestPages * 50_000) / 2 ** 30).toFixed(1)} GiB for 50,000 guests (written in ${(ms / 1000).toFixed(1)} s)`);
  await t.close();
}
