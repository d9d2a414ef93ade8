// A real steward-api (tests/harness/stack.ts) holding the simulator's `scale` scenario
// (200 PVE clusters × 5 nodes × 50 guests, in its own process): an admin logged in, every
// remote added through the API and refreshed once. Shared by the benchmarks that look at
// the daemon at that size (UI timings, resident memory).
import { readFileSync } from 'node:fs';
import { request } from '../harness/https.ts';
import { startStack } from '../harness/stack.ts';
import type { Stack } from '../harness/stack.ts';
import { startScaleSim } from './sim-process.ts';
import type { ScaleRemote } from './sim-process.ts';

export const ADMIN = 'admin@steward';
export const PASSWORD = 'scale bench password';

export interface ResourceStatus { qemu: { total: number }; lxc: { total: number }; remotes: { ok: number; degraded: number } }

export interface DaemonAtScale {
  stack: Stack;
  remotes: ScaleRemote[];
  /** Cookie and CSRF headers of the admin's session. */
  headers: Record<string, string>;
  /** Resident memory of the steward-api process now (VmRSS), in MiB. */
  rssMb(): number;
  /** The most it has held so far (VmHWM), in MiB. */
  peakRssMb(): number;
  /** VmRSS split into anonymous memory (JS heap, malloc) and file pages (node binary, LMDB map), in MiB. */
  rssSplitMb(): { anon: number; file: number };
  /** Adds every simulated remote and waits until each has been refreshed; resolves with the counts. */
  addRemotes(): Promise<ResourceStatus>;
  /** Refreshes every remote now and waits until each has finished. */
  refreshAll(): Promise<void>;
  stop(): Promise<void>;
}

/** A memory figure of a process from /proc (VmRSS now, VmHWM its peak), in MiB. */
export function processMemoryMb(pid: number, field: 'VmRSS' | 'VmHWM' | 'RssAnon' | 'RssFile' = 'VmRSS'): number {
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

/** Starts the simulator and the daemon and logs the admin in; no remote is added yet. */
export async function startDaemonAtScale(opts: { remotes?: number; nodes?: number; guestsPerNode?: number; env?: Record<string, string> } = {}): Promise<DaemonAtScale> {
  const sim = await startScaleSim({ remotes: opts.remotes ?? 200, nodes: opts.nodes ?? 5, guestsPerNode: opts.guestsPerNode ?? 50 });
  let stack: Stack | undefined;
  try {
    // The API rate limit stays on, high enough for 200 remote creations in a row.
    stack = await startStack({ extraConfig: { LOG_LEVEL: 'notice', RATE_LIMIT_API: '100000' }, ...(opts.env ? { env: opts.env } : {}) });
    return await loggedIn(stack, sim);
  } catch (err) {
    await stack?.stop();
    sim.stop();
    throw err;
  }
}

async function loggedIn(stack: Stack, sim: { remotes: ScaleRemote[]; stop(): void }): Promise<DaemonAtScale> {
  await stack.admin(['user', 'create', ADMIN, '--role', 'Admin', '--password-stdin'], PASSWORD + '\n');
  const t = (await request(`${stack.url}/api2/json/access/ticket`, { method: 'POST', body: { username: ADMIN, password: PASSWORD } }))
    .json<{ data: { ticket: string; CSRFPreventionToken: string } }>().data;
  const headers = { cookie: `StewardAuthCookie=${encodeURIComponent(t.ticket)}`, CSRFPreventionToken: t.CSRFPreventionToken };
  /** POST /remotes/refresh answers when every remote is done; then each must have data. */
  const refreshAll = async (): Promise<ResourceStatus> => {
    const res = await request(`${stack.url}/api2/json/remotes/refresh`, { method: 'POST', headers, body: {} });
    if (res.status !== 200) throw new Error(`refresh: ${res.status} ${res.text.slice(0, 200)}`);
    const status = (await request(`${stack.url}/api2/json/resources/status`, { headers })).json<{ data: ResourceStatus }>().data;
    if (status.remotes.ok + status.remotes.degraded !== sim.remotes.length) throw new Error(`after the refresh only ${status.remotes.ok + status.remotes.degraded} of ${sim.remotes.length} remotes have data`);
    return status;
  };
  return {
    stack,
    remotes: sim.remotes,
    headers,
    rssMb: () => processMemoryMb(stack.api.child.pid!),
    peakRssMb: () => processMemoryMb(stack.api.child.pid!, 'VmHWM'),
    rssSplitMb: () => ({ anon: processMemoryMb(stack.api.child.pid!, 'RssAnon'), file: processMemoryMb(stack.api.child.pid!, 'RssFile') }),
    async addRemotes() {
      for (const r of sim.remotes) {
        const res = await request(`${stack.url}/api2/json/remotes`, {
          method: 'POST', headers,
          body: { id: r.id, type: 'pve', endpoints: [{ host: r.host, port: r.port, fingerprint: r.fingerprint }], credentials: [{ name: 'a', kind: 'token', tokenid: r.tokenid, secret: r.secret }] },
        });
        if (res.status !== 201 && res.status !== 200) throw new Error(`adding ${r.id}: ${res.status} ${res.text.slice(0, 200)}`);
      }
      return refreshAll();
    },
    async refreshAll() {
      await refreshAll();
    },
    async stop() {
      await stack.stop();
      sim.stop();
    },
  };
}
