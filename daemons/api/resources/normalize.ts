// Turns what remotes answer into Steward's resource list: PVE's /cluster/resources items
// keep their own field names (only the known ones are copied, so nothing unexpected leaks
// through); PBS node status and datastore usage become `node` and `datastore` resources.
import type { Resource } from '../../../shared/resources.ts';

type Raw = Record<string, unknown>;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v.slice(0, 1024) : typeof v === 'number' ? String(v) : undefined);
const bool = (v: unknown): boolean | undefined => (v === undefined || v === null ? undefined : v === true || v === 1 || v === '1');

const NUMERIC = ['cpu', 'maxcpu', 'mem', 'maxmem', 'disk', 'maxdisk', 'uptime', 'netin', 'netout'] as const;
const TEXT = ['name', 'node', 'status', 'tags', 'pool', 'lock', 'hastate', 'storage', 'plugintype', 'content', 'level'] as const;

/**
 * Adopts the parsed item itself (building 50,000 fresh objects per refresh cost more than
 * parsing them): fields of a wrong type are set to undefined, booleans become booleans, and
 * fields Steward does not know stay on the object but never leave it — the output schema
 * strips them.
 */
export function pveResource(remote: string, item: Raw): Resource | null {
  const type = item.type;
  if (type !== 'qemu' && type !== 'lxc' && type !== 'node' && type !== 'storage') return null;
  if (typeof item.id !== 'string' || item.id === '') return null;
  item.remote = remote;
  item['remote-type'] = 'pve';
  for (const k of TEXT) {
    const v = item[k];
    if (v !== undefined && typeof v !== 'string') item[k] = str(v);
  }
  for (const k of NUMERIC) {
    const v = item[k];
    if (v !== undefined && typeof v !== 'number') item[k] = num(v);
  }
  if (item.vmid !== undefined && typeof item.vmid !== 'number') item.vmid = num(item.vmid);
  if (type === 'qemu' || type === 'lxc') item.template = bool(item.template) ?? false;
  if (type === 'storage') item.shared = bool(item.shared) ?? false;
  if (type === 'node' && item.name === undefined) item.name = item.node;
  if (type === 'storage' && item.name === undefined) item.name = item.storage;
  return item as unknown as Resource;
}

export function pbsNodeResource(remote: string, status: Raw | null): Resource {
  const memory = (status?.memory ?? {}) as Raw;
  const root = (status?.root ?? {}) as Raw;
  const cpuinfo = (status?.cpuinfo ?? {}) as Raw;
  const r: Resource = { remote, 'remote-type': 'pbs', id: 'node/localhost', type: 'node', name: remote, node: 'localhost', status: status ? 'online' : 'offline' };
  const put = (k: 'cpu' | 'maxcpu' | 'mem' | 'maxmem' | 'disk' | 'maxdisk' | 'uptime', v: unknown) => {
    const n = num(v);
    if (n !== undefined) r[k] = n;
  };
  put('cpu', status?.cpu);
  put('maxcpu', cpuinfo.cpus);
  put('mem', memory.used);
  put('maxmem', memory.total);
  put('disk', root.used);
  put('maxdisk', root.total);
  put('uptime', status?.uptime);
  return r;
}

export function pbsDatastoreResource(remote: string, item: Raw): Resource | null {
  const store = str(item.store);
  if (!store) return null;
  const r: Resource = { remote, 'remote-type': 'pbs', id: `datastore/${store}`, type: 'datastore', name: store, storage: store, node: 'localhost', status: item.error ? 'unavailable' : 'available' };
  const total = num(item.total);
  const used = num(item.used);
  if (total !== undefined) r.maxdisk = total;
  if (used !== undefined) r.disk = used;
  const full = num(item['estimated-full-date']);
  if (full !== undefined) r['estimated-full-date'] = full;
  return r;
}
