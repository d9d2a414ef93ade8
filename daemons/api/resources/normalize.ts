// Turns what remotes answer into Steward's resource list: PVE's /cluster/resources items
// keep their own field names (the table copies only the known ones, so nothing unexpected
// leaks through); PBS node status and datastore usage become `node` and `datastore` resources.
import type { Resource } from '../../../shared/resources.ts';

type Raw = Record<string, unknown>;

/** A decimal number as text: Number() alone also takes '' or ' ' (0) and '0x10' (16). */
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
export const num = (v: unknown): number | undefined => (typeof v === 'number' ? (Number.isFinite(v) ? v : undefined) : typeof v === 'string' && DECIMAL.test(v) && Number.isFinite(Number(v)) ? Number(v) : undefined);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v.slice(0, 1024) : typeof v === 'number' ? String(v) : undefined);
export const bool = (v: unknown): boolean | undefined => (v === undefined || v === null ? undefined : v === true || v === 1 || v === '1');

/** A resource as a remote gave it: the known fields, of any type, checked as the table copies them (table.ts). */
export type ResourceItem = { readonly [K in keyof Resource]?: unknown } & { readonly id: string; readonly type: Resource['type']; readonly diskread?: unknown; readonly diskwrite?: unknown };

/**
 * The /cluster/resources items Steward lists: guests, nodes and storages with an id. The
 * parsed items themselves, unchanged: the table copies their fields, and adding fields to
 * 50,000 parsed objects per refresh (each then needs a new property store) cost more than
 * the copy.
 */
export function pveItems(items: readonly unknown[]): ResourceItem[] {
  const out: ResourceItem[] = [];
  for (const item of items) {
    if (typeof item !== 'object' || item === null) continue;
    const { type, id } = item as Raw;
    if (type !== 'qemu' && type !== 'lxc' && type !== 'node' && type !== 'storage') continue;
    if (typeof id !== 'string' || id === '') continue;
    out.push(item as ResourceItem);
  }
  return out;
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
