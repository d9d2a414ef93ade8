// Remotes at scale (issue 6): 200 PVE remotes / 50,000 guests served by the simulator's
// `scale` scenario in a separate process (tests/sim/cli.ts), so it does not share our CPU time.
//  1. full refresh through Steward's poller (pinned TLS client, normalise, index, LMDB)
//     vs the same requests with plain node:https + JSON.parse — ratio in one run;
//  2. the same with every remote answering after 200 ms;
//  3. /resources/list search latency (p50/p99) over 50,000 guests while the poller runs;
//  4. RSS of the process holding all of it.
import https from 'node:https';
import { createApp } from '../../daemons/api/app.ts';
import { Limiter } from '../../daemons/api/remotes/limiter.ts';
import { testDeps } from '../fixtures/api-deps.ts';
import type { TestDeps } from '../fixtures/api-deps.ts';
import { startScaleSim } from './sim-process.ts';
import type { ScaleRemote } from './sim-process.ts';

const REMOTES = Number(process.env.BENCH_REMOTES ?? 200);
const NODES = 5;
const GUESTS_PER_NODE = Number(process.env.BENCH_GUESTS_PER_NODE ?? 50);

const scaleServer = (latencyMs: number) => startScaleSim({ remotes: REMOTES, nodes: NODES, guestsPerNode: GUESTS_PER_NODE, latencyMs });

/**
 * Steward's clock in this bench: each refresh is a poll interval (60 s) after the one
 * before, as in production, so the metrics history records each refresh in its own minute.
 * Back to back on the real clock, every refresh after a minute's first would be the case of
 * a poll interval under a minute (which a remote cannot have; only "refresh now" does it):
 * it adds to the minute's record, and reads it first.
 */
let minutesAhead = 0;
const clock = () => Date.now() + minutesAhead * 60_000;
const refreshAll = async (t: TestDeps) => {
  minutesAhead++;
  await t.deps.remotes.poller.refreshAll();
  // The collection the poller asks for when it falls idle (gc-pacer.ts) is part of a
  // refresh's cost: waited for here, so it counts in Steward's round, not the baseline's.
  await new Promise((resolve) => setImmediate(resolve));
};

async function steward(server: { remotes: ScaleRemote[] }) {
  const t = await testDeps({ clientOptions: { retries: 2 }, now: clock });
  for (const r of server.remotes) {
    await t.deps.remotes.repo.create({ id: r.id, type: 'pve', endpoints: [{ host: r.host, port: r.port, fingerprint: r.fingerprint }], credentials: [{ name: 'a', kind: 'token', tokenid: r.tokenid, secret: r.secret }] });
  }
  return t;
}

/**
 * The baseline: the same two GETs per remote, in the poller's order (resources, then tasks),
 * one after the other on one keep-alive connection, as many remotes at once as the poller
 * (256), JSON.parse — nothing else. Like Steward's poller it closes each remote's
 * connections when the remote is done: in production each poll finds them closed anyway,
 * since a remote closes idle connections after 5 s (pveproxy) and polls come every minute.
 * The order matters here as it would not against real remotes: the simulator makes every
 * remote's answers on the same two cores, so the last answers come ~1 s after the first.
 */
function rawFetcher(remotes: ScaleRemote[], concurrency = 256) {
  const agents = remotes.map(() => new https.Agent({ keepAlive: true, maxSockets: 4, rejectUnauthorized: false }));
  const get = (i: number, path: string) => new Promise<unknown>((resolve, reject) => {
    const r = remotes[i]!;
    https.get({ host: r.host, port: r.port, path, agent: agents[i], headers: { authorization: r.auth } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve((JSON.parse(Buffer.concat(chunks).toString()) as { data: unknown }).data));
    }).on('error', reject);
  });
  const limiter = new Limiter(concurrency);
  return {
    all: () => Promise.all(remotes.map((_, i) => limiter.run(async () => {
      await get(i, '/api2/json/cluster/resources');
      await get(i, '/api2/json/cluster/tasks');
      for (const sockets of Object.values(agents[i]!.freeSockets)) for (const s of sockets ?? []) s.destroy();
    }))),
    close: () => agents.forEach((a) => a.destroy()),
  };
}

/** Wall time of `fn`; with `cpu`, the process's CPU time (all threads) is pushed there. */
async function time(fn: () => Promise<unknown>, cpu?: number[]): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  cpu?.push((c.user + c.system) / 1000);
  return wall;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
/** Rounds per measurement: the machine is shared, so single rounds vary by ±20%. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

const rssAtStart = process.memoryUsage().rss;

// 1. refresh vs raw fetch + parse
{
  const server = await scaleServer(0);
  const t = await steward(server);
  const raw = rawFetcher(server.remotes);
  await refreshAll(t); // warm-up: TLS handshakes, JIT
  await raw.all();
  const ours: number[] = [];
  const base: number[] = [];
  const oursCpu: number[] = [];
  const baseCpu: number[] = [];
  // Alternating, so a slower minute of a shared machine falls on both.
  for (let round = 0; round < ROUNDS; round++) {
    ours.push(await time(() => refreshAll(t), oursCpu));
    base.push(await time(() => raw.all(), baseCpu));
  }
  const guests = t.deps.remotes.repo.list().reduce((n, e) => n + t.deps.remotes.cache.table(e.key).ids.filter((id) => /^(qemu|lxc)\//.test(id)).length, 0);
  console.log(`refresh ${REMOTES} remotes / ${guests} guests, median of ${ROUNDS}: steward ${median(ours).toFixed(0)} ms (${spread(ours)}) vs raw fetch+JSON.parse ${median(base).toFixed(0)} ms (${spread(base)}), each on new connections → ratio ${(median(ours) / median(base)).toFixed(2)}× (goal ≤ 1.5×)`);
  // The simulator makes the answers on the same two cores: when it is the slower side, both
  // wait for it. The CPU each side spends (this process, all its threads) tells the rest.
  console.log(`  CPU per refresh (this process, the simulator apart): steward ${median(oursCpu).toFixed(0)} ms vs raw ${median(baseCpu).toFixed(0)} ms → ${(median(oursCpu) / median(baseCpu)).toFixed(2)}×`);

  // 3. search while polling
  const app = createApp(t.deps);
  let polling = true;
  const poller = (async () => {
    while (polling) await refreshAll(t);
  })();
  const queries = ['web', '+type:qemu cpu>80%', 'tag:prod -status:stopped', 'name:r17-vm', 'mem>=90% +remote:pve3', 'uptime<1h type:lxc'];
  const lat: number[] = [];
  for (let i = 0; i < 600; i++) {
    const q = queries[i % queries.length]!;
    const t0 = performance.now();
    const res = await app.request(`/api2/json/resources/list?limit=100&search=${encodeURIComponent(q)}`, { headers: { 'x-test-user': 'root@steward' } });
    await res.arrayBuffer();
    lat.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`search failed: ${res.status}`);
  }
  polling = false;
  await poller;
  console.log(`/resources/list search over ${guests} guests while polling: p50 ${pct(lat, 0.5).toFixed(1)} ms, p99 ${pct(lat, 0.99).toFixed(1)} ms (goal p99 ≤ 50 ms)`);

  // 4. memory
  (globalThis as { gc?: () => void }).gc?.();
  const rss = process.memoryUsage().rss;
  console.log(`RSS holding ${REMOTES} remotes / ${guests} guests (cache, indexes, clients, LMDB map): ${(rss / 2 ** 20).toFixed(0)} MB, of which ${((rss - rssAtStart) / 2 ** 20).toFixed(0)} MB above this process at start (tsx, zod, hono loaded: ${(rssAtStart / 2 ** 20).toFixed(0)} MB) (goal ≤ 250 MB)`);
  raw.close();
  await t.close();
  server.stop();
}

// 2. every remote answers after 200 ms
{
  const server = await scaleServer(200);
  const first = await steward(server);
  const added = await time(() => refreshAll(first));
  // A restart, as `systemctl restart` does it: the poller stops (snapshots and metrics heads
  // written), the process state goes; the next refresh opens every connection anew and
  // reads the metrics heads from LMDB.
  await first.deps.remotes.poller.stop();
  await first.close({ keep: true });
  const t = await testDeps({ clientOptions: { retries: 2 }, now: clock, dir: first.dir, key: first.key });
  const cold = await time(() => refreshAll(t));
  // Then the next refreshes, alternating with the baseline of the same run: every remote at
  // once, new connections each time (TLS handshakes included), JSON.parse and nothing else.
  const raw = rawFetcher(server.remotes);
  const next: number[] = [];
  const base: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    next.push(await time(() => refreshAll(t)));
    base.push(await time(() => raw.all()));
  }
  raw.close();
  console.log(`refresh ${REMOTES} remotes answering after 200 ms, every connection new: just added (first snapshot and metrics writes) ${added.toFixed(0)} ms; after a restart ${cold.toFixed(0)} ms; next, median of ${ROUNDS}: ${median(next).toFixed(0)} ms (${spread(next)}) (goal ≤ 1500 ms); raw fetch+JSON.parse of all at once ${median(base).toFixed(0)} ms (${spread(base)}) → ratio ${(cold / median(base)).toFixed(2)}× / ${(median(next) / median(base)).toFixed(2)}×`);
  await t.close();
  server.stop();
}
process.exit(0);
