// What one refresh's resources say about each object, as values in the order of its kind's
// fields (archive.ts KINDS). /cluster/resources names differ from rrddata's for nodes and
// storages (mem → memused, maxdisk → total …); guests' network and disk I/O are cumulative
// counters there and are turned into rates by the store, which keeps the previous reading.
import type { NumberField, ResourceTable } from '../resources/table.ts';
import { KINDS } from './archive.ts';
import type { Kind } from './archive.ts';

/** Guest fields that /cluster/resources reports as counters since the guest started. */
export const COUNTERS = ['netin', 'netout', 'diskread', 'diskwrite'] as const;

const index = (kind: Kind) => new Map((KINDS[kind] as readonly { name: string }[]).map((f, i) => [f.name, i]));
const FIELD_INDEX = { guest: index('guest'), node: index('node'), storage: index('storage'), datastore: index('datastore') };
export const COUNTER_INDEX = COUNTERS.map((c) => FIELD_INDEX.guest.get(c)!);

/** Resource field → rrddata field, per kind (guests keep their names). */
const RENAME: Record<Exclude<Kind, 'guest'>, Record<string, string>> = {
  node: { cpu: 'cpu', maxcpu: 'maxcpu', mem: 'memused', maxmem: 'memtotal', disk: 'rootused', maxdisk: 'roottotal' },
  storage: { disk: 'used', maxdisk: 'total' },
  datastore: { disk: 'used', maxdisk: 'total' },
};

/** Guest gauges with their place in the values, and whether only a running guest has them. */
const GUEST_GAUGES = (['cpu', 'maxcpu', 'mem', 'maxmem', 'disk', 'maxdisk'] as const).map((f) => ({ f, i: FIELD_INDEX.guest.get(f)!, runningOnly: f === 'cpu' || f === 'mem' }));
/** Per other kind: resource field → place in the values (computed once: this runs for every object of every refresh). */
const RENAMED = Object.fromEntries((Object.keys(RENAME) as Exclude<Kind, 'guest'>[]).map((k) => [k, Object.entries(RENAME[k]).map(([from, to]) => ({ from, i: FIELD_INDEX[k].get(to)! }))])) as Record<Exclude<Kind, 'guest'>, { from: NumberField; i: number }[]>;

/** What readSample found: nothing to record, gauges, or gauges and a running guest's counters. */
export const NO_SAMPLE = 0;
export const GAUGES = 1;
export const WITH_COUNTERS = 2;

/**
 * The sample of one row of `kind`, into `values` (aligned with KINDS[kind]; counters' places
 * are filled in by the store) and, for a running guest, `counters` (aligned with COUNTERS).
 * Nothing for what has no history: templates, and nodes or storages that are offline (their
 * figures then are absent, not zero). A stopped guest keeps its sizes and disk but has no
 * CPU, memory or I/O — a gap, as in Proxmox's RRD. The arrays are the caller's, filled for
 * each row in turn: this runs for every object of every refresh.
 */
export function readSample(t: ResourceTable, row: number, kind: Kind, values: (number | undefined)[], counters: (number | undefined)[]): number {
  const status = t.str('status', row);
  values.fill(undefined);
  if (kind === 'guest') {
    if (t.template(row)) return NO_SAMPLE;
    const running = status === 'running';
    for (const g of GUEST_GAUGES) if (running || !g.runningOnly) values[g.i] = t.num(g.f, row);
    if (!running) return GAUGES;
    for (let i = 0; i < COUNTERS.length; i++) counters[i] = t.num(COUNTERS[i]!, row);
    return WITH_COUNTERS;
  }
  if (kind === 'node' && status !== 'online') return NO_SAMPLE;
  if ((kind === 'storage' || kind === 'datastore') && status !== 'available') return NO_SAMPLE;
  for (const { from, i } of RENAMED[kind]) values[i] = t.num(from, row);
  return GAUGES;
}
