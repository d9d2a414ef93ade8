// The `scale` scenario: many PVE clusters of the same shape plus one PBS, generated from
// three numbers. 200 PVE remotes × 5 nodes × 50 guests = 50,000 guests (and the PBS).
// Each cluster backs up as most do: one nightly job of all guests to the shared PBS, in the
// cluster's own namespace, with a few guests excluded (vmid % 31 === 5, about 3 %): those
// are the cluster's guests in no job.
import type { ScenarioSpec } from '../scenario.ts';

export interface ScaleParams {
  remotes: number;
  nodesPerCluster: number;
  guestsPerNode: number;
}

export const DEFAULT_SCALE: ScaleParams = { remotes: 200, nodesPerCluster: 5, guestsPerNode: 50 };

const ROLES = ['web', 'app', 'db', 'cache', 'worker', 'proxy', 'mq', 'search', 'batch', 'build'];

export function scaleScenario(p: ScaleParams = DEFAULT_SCALE): ScenarioSpec {
  const token = { name: 'steward', kind: 'token' as const, tokenid: 'root@pam!steward', acl: [{ path: '/', role: 'Administrator', propagate: true }] };
  const remotes: ScenarioSpec['remotes'] = [];
  const pveCount = Math.max(1, p.remotes);
  for (let c = 0; c < pveCount; c++) {
    const id = `dc${String(c + 1).padStart(3, '0')}`;
    const nodes = Array.from({ length: p.nodesPerCluster }, (_, i) => ({ name: `${id}-n${i + 1}`, cpus: 64, memoryGiB: 768, updates: c % 7 === 0 ? ['pve-manager', 'openssl'] : [] }));
    const guests: NonNullable<Extract<ScenarioSpec['remotes'][number], { type: 'pve' }>['guests']> = [];
    let vmid = 100;
    for (const n of nodes) {
      for (let g = 0; g < p.guestsPerNode; g++, vmid++) {
        const role = ROLES[vmid % ROLES.length]!;
        guests.push({ vmid, type: vmid % 4 === 0 ? 'lxc' : 'qemu', name: `${role}-${id}-${vmid}`, node: n.name, status: vmid % 9 === 0 ? 'stopped' : 'running', cores: 1 + (vmid % 8), memoryGiB: 2 ** (vmid % 5), diskGiB: 32, storage: 'ceph', tags: [role], ...(vmid % 10 === 0 ? { pool: 'tenant' } : {}), ...(vmid % 31 === 5 ? { noBackup: true } : {}) });
      }
    }
    remotes.push({
      id,
      type: 'pve',
      ...(p.nodesPerCluster > 1 ? { cluster: id } : {}),
      nodes,
      storages: [
        { id: 'local', type: 'dir', content: ['iso', 'vztmpl', 'backup'], totalGiB: 94, usedGiB: 20 },
        { id: 'ceph', type: 'rbd', content: ['images', 'rootdir'], shared: true, totalGiB: 100_000, usedGiB: 40_000 + c * 100 },
        { id: 'pbs', type: 'pbs', content: ['backup'], shared: true, totalGiB: 200_000, usedGiB: 90_000, pbs: { remote: 'pbs-scale', datastore: 'store1', namespace: id } },
      ],
      pools: [{ id: 'tenant' }],
      guests,
      // Start times spread over 20:00–23:59 so the clusters do not all write at once.
      backupJobs: [{ id: 'backup-nightly', storage: 'pbs', schedule: `${20 + (c % 4)}:${String((c * 7) % 60).padStart(2, '0')}`, all: true, comment: 'all guests, nightly' }],
      credentials: [token],
    });
  }
  {
    remotes.push({
      id: 'pbs-scale',
      type: 'pbs',
      node: { name: 'pbs-scale', cpus: 32, memoryGiB: 128 },
      // Three days kept: 150,000 snapshots at the default size, cheap to generate and hold.
      datastores: [{ name: 'store1', totalGiB: 200_000, usedGiB: 90_000, keepDaily: 3 }],
      // PBS names its administrator role `Admin` (PVE's is `Administrator`).
      credentials: [{ ...token, acl: [{ path: '/', role: 'Admin', propagate: true }] }],
    });
  }
  return { name: 'scale', remotes };
}
