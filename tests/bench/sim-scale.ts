// The simulator at scale: 200 PVE remotes × 5 nodes × 50 guests (50,000 guests, 1,000 TLS
// servers) plus a PBS in one process. Prints start time and RSS, then drives it from a separate
// load process (keep-alive TLS, many remotes at once, a poller-like mix of calls) and prints
// the request rate it sustains and the RSS under load.
//   node --import tsx tests/bench/sim-scale.ts [remotes nodesPerCluster guestsPerNode seconds concurrency]
import { fork, spawn, spawnSync } from 'node:child_process';
import https from 'node:https';
import { fileURLToPath } from 'node:url';

interface Target {
  host: string;
  port: number;
  auth: string;
  node: string;
}

const MIX = [
  { weight: 5, path: () => '/cluster/resources' },
  { weight: 2, path: (t: Target) => `/nodes/${t.node}/status` },
  { weight: 1, path: () => '/cluster/tasks' },
  { weight: 1, path: (t: Target) => `/nodes/${t.node}/qemu` },
  { weight: 1, path: () => '/version' },
];

async function client(targets: Target[], seconds: number, concurrency: number): Promise<void> {
  const agents = new Map<number, https.Agent>();
  const agent = (port: number) => {
    let a = agents.get(port);
    if (!a) agents.set(port, (a = new https.Agent({ keepAlive: true, maxSockets: 2, rejectUnauthorized: false })));
    return a;
  };
  const paths = MIX.flatMap((m) => Array(m.weight).fill(m.path) as ((t: Target) => string)[]);
  // Warm-up: one TLS connection to every target (what a poller's first sweep does).
  const w0 = Date.now();
  let wi = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (wi < targets.length) {
      const t = targets[wi++]!;
      await new Promise<void>((resolve) => https.get({ host: t.host, port: t.port, path: '/api2/json/version', agent: agent(t.port), headers: { authorization: t.auth } }, (res) => res.resume().on('end', resolve)).on('error', () => resolve()));
    }
  }));
  process.send!({ warmup: { requests: targets.length, remotes: agents.size, ms: Date.now() - w0 } });
  const end = Date.now() + seconds * 1000;
  let done = 0;
  let errors = 0;
  let bytes = 0;
  const lat: number[] = [];
  let i = 0;
  const one = (): Promise<void> => {
    const t = targets[(i * 7919) % targets.length]!;
    const path = paths[i++ % paths.length]!(t);
    const t0 = performance.now();
    return new Promise((resolve) => {
      const req = https.request({ host: t.host, port: t.port, path: `/api2/json${path}`, agent: agent(t.port), headers: { authorization: t.auth } }, (res) => {
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => {
          if (res.statusCode === 200) done++;
          else errors++;
          lat.push(performance.now() - t0);
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  };
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < end) await one();
  }));
  lat.sort((a, b) => a - b);
  process.send!({ done, errors, bytes, p50: lat[Math.floor(lat.length / 2)] ?? 0, p99: lat[Math.floor(lat.length * 0.99)] ?? 0 });
  for (const a of agents.values()) a.destroy();
}

async function main(): Promise<void> {
  const [remotes = 200, nodesPerCluster = 5, guestsPerNode = 50, seconds = 10, concurrency = 32] = process.argv.slice(2).map(Number);
  const { startSim } = await import('../sim/index.ts');
  const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MiB`;
  const t0 = Date.now();
  const sim = await startSim({ scenario: 'scale', scale: { remotes, nodesPerCluster, guestsPerNode } });
  const guests = [...sim.world.remotes.values()].reduce((a, r) => a + (r.type === 'pve' ? r.guests.size : 0), 0);
  const servers = sim.remotes.reduce((a, r) => a + r.nodes.length, 0);
  console.log(`scale: ${sim.remotes.length} remotes, ${servers} node servers, ${guests} guests; started in ${Date.now() - t0} ms`);
  global.gc?.();
  console.log(`RSS after start: ${mb(process.memoryUsage().rss)} (heap used ${mb(process.memoryUsage().heapUsed)})`);
  // Like Steward's poller: each remote through its first endpoint, asking about any of its nodes.
  const targets: Target[] = sim.remotes.filter((r) => r.type === 'pve').flatMap((r) => {
    const c = r.credentials[0] as { tokenid: string; secret: string };
    const first = r.nodes[0]!;
    return r.nodes.map((n) => ({ host: first.host, port: first.port, node: n.name, auth: `PVEAPIToken=${c.tokenid}=${c.secret}` }));
  });
  const child = fork(fileURLToPath(import.meta.url), ['--client'], { execArgv: ['--import', 'tsx'] });
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  let started = Date.now();
  let before = sim.requestCount();
  const result = await new Promise<{ done: number; errors: number; bytes: number; p50: number; p99: number }>((resolve) => {
    child.on('message', (m: { warmup?: { requests: number; remotes: number; ms: number } }) => {
      if (!m.warmup) return resolve(m as never);
      console.log(`warm-up: ${m.warmup.requests} × /version, opening TLS connections to ${m.warmup.remotes} remotes, in ${m.warmup.ms} ms`);
      started = Date.now();
      before = sim.requestCount();
    });
    child.send({ targets, seconds, concurrency });
  });
  const elapsed = (Date.now() - started) / 1000;
  clearInterval(sampler);
  child.kill();
  const served = sim.requestCount() - before;
  console.log(`load: ${concurrency} concurrent keep-alive requests over ${new Set(targets.map((t) => t.port)).size} remotes for ${seconds} s (mix: /cluster/resources 50%, node status 20%, /cluster/tasks, qemu list, version)`);
  console.log(`request rate: ${Math.round(served / elapsed)} req/s served (${result.done} OK, ${result.errors} errors), ${mb(result.bytes / elapsed)}/s, latency p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms`);
  console.log(`RSS under load: peak ${mb(peak)}, now ${mb(process.memoryUsage().rss)}`);
  // Single endpoints on one node with wrk (when installed): the HTTP+TLS ceiling of the process.
  if (!spawnSync('wrk', ['--version']).error) {
    const t = targets[0]!;
    for (const [path, what] of [['/version', 'the cheapest call'], ['/cluster/resources', '250 guests, ~88 KB']]) {
      // wrk runs beside this process (asynchronously: the simulator must keep answering).
      const out = await new Promise<string>((resolve) => {
        let text = '';
        const p = spawn('wrk', ['-t1', '-c16', '-d5s', '--latency', '-H', `Authorization: ${t.auth}`, `https://${t.host}:${t.port}/api2/json${path}`]);
        p.stdout.on('data', (d: Buffer) => (text += d));
        p.on('close', () => resolve(text));
      });
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)?.[1];
      const p99 = /\s99%\s+([\d.]+\w+)/.exec(out)?.[1];
      console.log(`wrk GET ${path} (${what}) on one node, 16 connections: ${Math.round(Number(rps))} req/s, p99 ${p99}`);
    }
  }
  await sim.close();
}

if (process.argv.includes('--client')) {
  process.once('message', (m: { targets: Target[]; seconds: number; concurrency: number }) => void client(m.targets, m.seconds, m.concurrency).then(() => process.exit(0)));
} else {
  await main();
}
