// The `scale` scenario: many PVE clusters of the same shape plus one PBS, generated from
// three numbers. 200 PVE remotes × 5 nodes × 50 guests = 50,000 guests (and the PBS).
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
        guests.push({ vmid, type: vmid % 4 === 0 ? 'lxc' : 'qemu', name: `${role}-${id}-${vmid}`, node: n.name, status: vmid % 9 === 0 ? 'stopped' : 'running', cores: 1 + (vmid % 8), memoryGiB: 2 ** (vmid % 5), diskGiB: 32, storage: 'ceph', tags: [role], ...(vmid % 10 === 0 ? { pool: 'tenant' } : {}) });
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
      ],
      pools: [{ id: 'tenant' }],
      guests,
      credentials: [token],
    });
  }
  {
    remotes.push({
      id: 'pbs-scale',
      type: 'pbs',
      node: { name: 'pbs-scale', cpus: 32, memoryGiB: 128 },
      datastores: [{ name: 'store1', totalGiB: 100_000, usedGiB: 50_000 }],
      credentials: [token],
    });
  }
  return { name: 'scale', remotes };
}
