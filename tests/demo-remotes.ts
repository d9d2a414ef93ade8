// The demo's Proxmox side: starts the simulator's demo scenario and adds its remotes to
// Steward through the public API, as an administrator would. The simulator listens on new
// ports with new certificates each run, so remotes kept from an earlier run are updated.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack } from './harness/stack.ts';
import { request } from './harness/https.ts';

interface SimNode { name: string; host: string; port: number; fingerprint: string }
type SimCredential =
  | { name: string; kind: 'token'; tokenid: string; secret: string; limited?: string }
  | { name: string; kind: 'password'; username: string; password: string };
interface SimRemote { id: string; type: 'pve' | 'pbs'; nodes: SimNode[]; credentials: SimCredential[]; preAdded: boolean }
interface Sim { remotes: SimRemote[]; close(): Promise<void> }

async function login(stack: Stack, password: string): Promise<Record<string, string>> {
  const r = await request(`${stack.url}/api2/json/access/ticket`, { method: 'POST', body: { username: 'admin@steward', password } });
  if (r.status !== 200) throw new Error(`demo login failed (${r.status}): ${r.text.slice(0, 200)}`);
  const data = r.json<{ data: { ticket: string; CSRFPreventionToken: string } }>().data;
  return { cookie: `StewardAuthCookie=${encodeURIComponent(data.ticket)}`, CSRFPreventionToken: data.CSRFPreventionToken };
}

export async function setupDemoRemotes(stack: Stack, password: string): Promise<() => Promise<void>> {
  const simModule = join(import.meta.dirname, 'sim', 'index.ts');
  if (!existsSync(simModule)) throw new Error('the simulator (tests/sim) is not part of this build');
  const { startSim } = (await import(simModule)) as { startSim(o: { scenario: 'demo' }): Promise<Sim> };
  const sim = await startSim({ scenario: 'demo' });
  try {
    const headers = await login(stack, password);
    const existing = await request(`${stack.url}/api2/json/remotes`, { headers });
    const ids = new Set(existing.json<{ data: { id: string }[] }>().data.map((r) => r.id));
    for (const remote of sim.remotes) {
      if (!remote.preAdded) {
        const n = remote.nodes[0]!;
        process.stdout.write(`  Not yet added (try the add-remote wizard): ${remote.type} host ${n.host} port ${n.port}\n`);
        for (const c of remote.credentials) {
          if (c.kind === 'token') process.stdout.write(`    token ${c.tokenid}  secret ${c.secret}\n`);
        }
        continue;
      }
      const body = {
        endpoints: remote.nodes.map((n) => ({ host: n.host, port: n.port, fingerprint: n.fingerprint })),
        credentials: remote.credentials.map((c) => (c.kind === 'token'
          ? { name: c.name, kind: 'token', tokenid: c.tokenid, secret: c.secret }
          : { name: c.name, kind: 'password', username: c.username, password: c.password })),
      };
      const r = ids.has(remote.id)
        ? await request(`${stack.url}/api2/json/remotes/${remote.id}`, { method: 'PUT', headers, body })
        : await request(`${stack.url}/api2/json/remotes`, { method: 'POST', headers, body: { id: remote.id, type: remote.type, ...body } });
      if (r.status !== 200 && r.status !== 201) throw new Error(`adding remote ${remote.id} failed (${r.status}): ${r.text.slice(0, 300)}`);
    }
    await request(`${stack.url}/api2/json/remotes/refresh`, { method: 'POST', headers, body: {} });
  } catch (err) {
    await sim.close();
    throw err;
  }
  return () => sim.close();
}
