// The simulator's `scale` scenario in its own process (tests/sim/cli.ts), so the Proxmox
// side does not share Steward's CPU time in a benchmark.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { SimRemote } from '../sim/index.ts';

export interface ScaleRemote { id: string; host: string; port: number; fingerprint: string; auth: string; tokenid: string; secret: string }

export async function startScaleSim(opts: { remotes: number; nodes: number; guestsPerNode: number; latencyMs?: number }) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'sim', 'cli.ts'), '--scenario', 'scale',
    '--remotes', String(opts.remotes), '--nodes', String(opts.nodes), '--guests', String(opts.guestsPerNode), '--latency-ms', String(opts.latencyMs ?? 0)],
  { stdio: ['ignore', 'pipe', 'inherit'] });
  const remotes = await new Promise<ScaleRemote[]>((resolve) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let parsed: { remotes: SimRemote[] };
      try {
        parsed = JSON.parse(buf) as { remotes: SimRemote[] };
      } catch {
        return; // not all of it yet
      }
      resolve(parsed.remotes.filter((r) => r.type === 'pve').map((r) => {
        const n = r.nodes[0]!;
        const c = r.credentials.find((x) => x.kind === 'token' && !x.limited) as Extract<SimRemote['credentials'][number], { kind: 'token' }>;
        return { id: r.id, host: n.host, port: n.port, fingerprint: n.fingerprint, auth: `PVEAPIToken=${c.tokenid}=${c.secret}`, tokenid: c.tokenid, secret: c.secret };
      }));
    });
  });
  return { remotes, stop: () => child.kill('SIGTERM') };
}
