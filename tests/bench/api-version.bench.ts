// GET /api2/json/version through the full steward-api stack vs a bare hono route on the
// same HTTPS setup, same client (wrk), same run; rounds alternate to share the machine's noise.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startStack } from '../harness/stack.ts';
import { ensureWrk, wrk } from './wrk.ts';

ensureWrk();
const stack = await startStack({ extraConfig: { LOG_LEVEL: 'notice' } });
const bare = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'bare-hono-server.ts'), join(stack.dir, 'etc', 'api.pem'), join(stack.dir, 'etc', 'api.key')], { stdio: ['ignore', 'pipe', 'inherit'] });
const barePort = await new Promise<number>((resolve) => bare.stdout.on('data', (d: Buffer) => { const m = /port=(\d+)/.exec(d.toString()); if (m) resolve(Number(m[1])); }));

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const ours: number[] = [];
const base: number[] = [];
try {
  wrk(`${stack.url}/api2/json/version`, { seconds: 1 }); // warm-up (JIT)
  wrk(`https://127.0.0.1:${barePort}/api2/json/version`, { seconds: 1 });
  for (let round = 0; round < 3; round++) {
    const a = wrk(`${stack.url}/api2/json/version`, { seconds });
    const b = wrk(`https://127.0.0.1:${barePort}/api2/json/version`, { seconds });
    if (a.errors || b.errors) throw new Error(`errors during the run: steward ${a.errors}, bare ${b.errors}`);
    ours.push(a.rps);
    base.push(b.rps);
    console.log(`round ${round + 1}: steward ${a.rps.toFixed(0)} req/s (p99 ${a.p99ms} ms), bare hono ${b.rps.toFixed(0)} req/s (p99 ${b.p99ms} ms)`);
  }
} finally {
  bare.kill('SIGTERM');
  await stack.stop();
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
console.log(`GET /api2/json/version: steward ${median(ours).toFixed(0)} req/s vs bare hono ${median(base).toFixed(0)} req/s → ratio ${(median(ours) / median(base)).toFixed(2)}×`);
