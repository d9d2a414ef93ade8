// The simulator as a process and across restarts: the CLI prints the remotes and stops on
// SIGTERM; a state file keeps ports, certificates and secrets; the scale scenario builds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim } from './index.ts';
import type { SimRemote } from './index.ts';
import { SimClient } from './testing.ts';

test('the CLI prints {controlUrl, remotes} and exits 0 on SIGTERM', async () => {
  const p = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'cli.ts'), '--scenario', 'demo', '--auth-delay-ms', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const printed = new Promise<{ controlUrl: string; remotes: SimRemote[] }>((resolve) => {
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      try {
        resolve(JSON.parse(out));
      } catch {
        // not complete yet
      }
    });
  });
  const info = await printed;
  assert.match(info.controlUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(info.remotes.length, 4);
  const r = await new SimClient(info.remotes[0]!).get('/version');
  assert.equal(r.status, 200);
  const code = new Promise<number | null>((resolve) => p.on('exit', resolve));
  p.kill('SIGTERM');
  assert.equal(await code, 0);
});

test('a state file keeps ports, fingerprints and secrets across restarts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-state-'));
  const stateFile = join(dir, 'state.json');
  try {
    const a = await startSim({ scenario: 'demo', stateFile });
    const first = a.remotes;
    await a.close();
    assert.equal(statSync(stateFile).mode & 0o777, 0o600);
    const b = await startSim({ scenario: 'demo', stateFile });
    try {
      assert.deepEqual(b.remotes, first);
      assert.equal((await new SimClient(b.remotes[0]!).get('/version')).status, 200);
    } finally {
      await b.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the scale scenario builds the requested shape', async () => {
  const sim = await startSim({ scenario: 'scale', scale: { remotes: 4, nodesPerCluster: 3, guestsPerNode: 20 } });
  try {
    const pve = sim.remotes.filter((r) => r.type === 'pve');
    assert.equal(pve.length, 4);
    assert.equal(sim.remotes.filter((r) => r.type === 'pbs').length, 1);
    const c = new SimClient(pve[0]!, { node: 2 });
    const vms = (await c.get('/cluster/resources', { type: 'vm' })).data as unknown[];
    assert.equal(vms.length, 60);
    const nodes = (await c.get('/cluster/status')).data as { type: string }[];
    assert.equal(nodes.filter((n) => n.type === 'node').length, 3);
    // One nightly job of all guests into the cluster's namespace of the shared PBS; the few
    // guests it excludes (vmid % 31 === 5: 129 of 100–159 here, ~3 % at scale) are in no job.
    const jobs = (await c.get('/cluster/backup')).data as { id: string; all?: number; storage: string; exclude?: string }[];
    assert.deepEqual(jobs.map((j) => [j.id, j.all, j.storage]), [['backup-nightly', 1, 'pbs']]);
    const missing = (await c.get('/cluster/backup-info/not-backed-up')).data as { vmid: number }[];
    assert.deepEqual(missing.map((g) => g.vmid), [129]);
    assert.equal(jobs[0]!.exclude, '129');
    const pbs = new SimClient(sim.remotes.find((r) => r.type === 'pbs')!);
    const groups = (await pbs.get('/admin/datastore/store1/groups', { ns: pve[0]!.id })).data as unknown[];
    assert.equal(groups.length, 59);
  } finally {
    await sim.close();
  }
});
