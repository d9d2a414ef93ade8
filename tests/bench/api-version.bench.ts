// Through the full steward-api stack vs a bare hono route on the same HTTPS setup, same
// client (wrk), same run; rounds alternate to share the machine's noise. Two of ours:
// GET /version (public) and GET /remotes with an API token (authenticated, ACL-filtered).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startStack } from '../harness/stack.ts';
import { request } from '../harness/https.ts';
import { ensureWrk, wrk } from './wrk.ts';

ensureWrk();
// The per-client API rate limit stays on, set high enough that the load generator is not refused.
const stack = await startStack({ extraConfig: { LOG_LEVEL: 'notice', RATE_LIMIT_API: '10000000' } });
const bare = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'bare-hono-server.ts'), join(stack.dir, 'etc', 'api.pem'), join(stack.dir, 'etc', 'api.key')], { stdio: ['ignore', 'pipe', 'inherit'] });
const barePort = await new Promise<number>((resolve) => bare.stdout.on('data', (d: Buffer) => { const m = /port=(\d+)/.exec(d.toString()); if (m) resolve(Number(m[1])); }));

// An admin's API token without privilege separation, made through the API as a script would.
const password = 'bench-password-1';
await stack.admin(['user', 'create', 'admin@steward', '--role', 'Admin', '--password-stdin'], password + '\n');
const login = await request(`${stack.url}/api2/json/access/ticket`, { method: 'POST', body: { username: 'admin@steward', password } });
const t = login.json<{ data: { ticket: string; CSRFPreventionToken: string } }>().data;
const made = await request(`${stack.url}/api2/json/access/users/admin@steward/token/bench`, {
  method: 'POST', body: { privsep: false },
  headers: { cookie: `StewardAuthCookie=${encodeURIComponent(t.ticket)}`, CSRFPreventionToken: t.CSRFPreventionToken },
});
const token = made.json<{ data: { tokenid: string; value: string } }>().data;
const auth = [`Authorization: StewardAPIToken=${token.tokenid}:${token.value}`];

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const ours: number[] = [];
const authed: number[] = [];
const base: number[] = [];
try {
  wrk(`${stack.url}/api2/json/version`, { seconds: 1 }); // warm-up (JIT)
  wrk(`${stack.url}/api2/json/remotes`, { seconds: 1, headers: auth });
  wrk(`https://127.0.0.1:${barePort}/api2/json/version`, { seconds: 1 });
  for (let round = 0; round < 3; round++) {
    const a = wrk(`${stack.url}/api2/json/version`, { seconds });
    const c = wrk(`${stack.url}/api2/json/remotes`, { seconds, headers: auth });
    const b = wrk(`https://127.0.0.1:${barePort}/api2/json/version`, { seconds });
    if (a.errors || b.errors || c.errors) throw new Error(`errors during the run: steward ${a.errors}, token ${c.errors}, bare ${b.errors}`);
    ours.push(a.rps);
    authed.push(c.rps);
    base.push(b.rps);
    console.log(`round ${round + 1}: /version ${a.rps.toFixed(0)} req/s (p99 ${a.p99ms} ms), /remotes with token ${c.rps.toFixed(0)} req/s (p99 ${c.p99ms} ms), bare hono ${b.rps.toFixed(0)} req/s (p99 ${b.p99ms} ms)`);
  }
} finally {
  bare.kill('SIGTERM');
  await stack.stop();
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
console.log(`GET /api2/json/version: steward ${median(ours).toFixed(0)} req/s vs bare hono ${median(base).toFixed(0)} req/s → ratio ${(median(ours) / median(base)).toFixed(2)}×`);
console.log(`GET /api2/json/remotes (API token): ${median(authed).toFixed(0)} req/s → ratio ${(median(authed) / median(base)).toFixed(2)}× of bare (goal ≥ 0.7×)`);
