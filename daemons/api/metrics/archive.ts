// Round-robin archives, RRD-style, as pure functions over slot records: what a slot holds,
// how samples are consolidated into it (AVERAGE and MAX), how imported points fill it, and
// how a timeframe is read back from it. Storage (LMDB keys, transactions) is in
// metrics-store.ts; this file knows nothing of it.

export interface Archive {
  /** Seconds per slot. */
  step: number;
  /** Slots kept: the archive covers step × size seconds, then wraps around. */
  size: number;
}

/**
 * 1 minute for a day, 30 minutes for 30 days, 12 hours for a year. The steps are those of
 * Proxmox's own RRD timeframes (hour = 60 s, day = 30 min, month = 12 h), so points
 * imported from a remote land on whole slots.
 */
export const ARCHIVES: readonly Archive[] = [
  { step: 60, size: 1440 },
  { step: 1800, size: 1440 },
  { step: 43_200, size: 730 },
];

export type Timeframe = 'hour' | 'day' | 'week' | 'month' | 'year';
export type Cf = 'AVERAGE' | 'MAX';

/** What a timeframe is read from: the archive, the span, and the step of the points served. */
export const TIMEFRAMES: Record<Timeframe, { archive: number; span: number; step: number }> = {
  hour: { archive: 0, span: 3600, step: 60 },
  day: { archive: 0, span: 86_400, step: 600 },
  week: { archive: 1, span: 7 * 86_400, step: 3600 },
  month: { archive: 1, span: 30 * 86_400, step: 10_800 },
  year: { archive: 2, span: 365 * 86_400, step: 86_400 },
};

/**
 * A field is a `gauge` (average and maximum kept, with the weight of samples behind them)
 * or a `limit` (the configured size — maxmem, total —, the last value is enough).
 */
export interface FieldSpec {
  name: string;
  kind: 'gauge' | 'limit';
}

const g = (name: string): FieldSpec => ({ name, kind: 'gauge' });
const l = (name: string): FieldSpec => ({ name, kind: 'limit' });

/** Fields per object kind, named as Proxmox's rrddata answers name them. */
export const KINDS = {
  guest: [g('cpu'), l('maxcpu'), g('mem'), l('maxmem'), g('disk'), l('maxdisk'), g('netin'), g('netout'), g('diskread'), g('diskwrite')],
  node: [g('cpu'), l('maxcpu'), g('memused'), l('memtotal'), g('rootused'), l('roottotal'), g('swapused'), l('swaptotal'), g('iowait'), g('loadavg'), g('netin'), g('netout')],
  storage: [g('used'), l('total')],
  datastore: [g('used'), l('total'), g('available'), g('read_bytes'), g('write_bytes'), g('read_ios'), g('write_ios'), g('io_ticks')],
} as const satisfies Record<string, readonly FieldSpec[]>;
export type Kind = keyof typeof KINDS;
export const KIND_IDS: readonly Kind[] = ['guest', 'node', 'storage', 'datastore'];

/** The kind of a Proxmox resource id: `qemu/100`, `lxc/101`, `node/pve1`, `storage/pve1/local`, `datastore/store1`. */
export function kindOf(objectId: string): Kind | undefined {
  const t = objectId.slice(0, objectId.indexOf('/'));
  if (t === 'qemu' || t === 'lxc') return 'guest';
  if (t === 'node' || t === 'storage' || t === 'datastore') return t;
  return undefined;
}

const GAUGE_BYTES = 10; // f32 average, f32 maximum, u16 weight
const LIMIT_BYTES = 4; // f32 last value

const RECORD_BYTES = Object.fromEntries(KIND_IDS.map((k) => [k, 4 + (KINDS[k] as readonly FieldSpec[]).reduce((n, f) => n + (f.kind === 'gauge' ? GAUGE_BYTES : LIMIT_BYTES), 0)])) as Record<Kind, number>;

export function recordBytes(kind: Kind): number {
  return RECORD_BYTES[kind];
}

/**
 * One slot: its start time (so a slot left over from the previous lap reads as empty) and
 * per field the average, the maximum and the weight (minutes of samples; 0 = nothing
 * sampled by Steward — an imported value, if any, stands alone). NaN is "unknown".
 */
export interface Slot {
  time: number;
  avg: number[];
  max: number[];
  weight: number[];
}

// Plain arrays: a refresh decodes several slots per object, and small typed arrays cost
// more to allocate than they save.
export function emptySlot(kind: Kind, time: number): Slot {
  const n = KINDS[kind].length;
  return { time, avg: new Array<number>(n).fill(NaN), max: new Array<number>(n).fill(NaN), weight: new Array<number>(n).fill(0) };
}

export function encodeSlot(kind: Kind, s: Slot, into?: Buffer, offset = 0): Buffer {
  const buf = into ?? Buffer.allocUnsafe(recordBytes(kind));
  buf.writeUInt32BE(s.time, offset);
  let o = offset + 4;
  KINDS[kind].forEach((f: FieldSpec, i) => {
    buf.writeFloatBE(s.avg[i]!, o);
    if (f.kind === 'gauge') {
      buf.writeFloatBE(s.max[i]!, o + 4);
      buf.writeUInt16BE(s.weight[i]!, o + 8);
      o += GAUGE_BYTES;
    } else o += LIMIT_BYTES;
  });
  return buf;
}

/**
 * Decodes a record (at `offset` of `buf`); one of another size (a kind changed its fields)
 * or of another time (an earlier lap) reads as empty. Without `time`, whatever time it has.
 */
export function decodeSlot(kind: Kind, buf: Uint8Array | undefined, time?: number, offset = 0): Slot {
  // lmdb's fast reads hand out a shared buffer whose `length` is the value's.
  const b = buf && Buffer.from(buf.buffer, buf.byteOffset + offset, Math.max(0, buf.length - offset));
  const size = recordBytes(kind);
  if (!b || b.length < size || (offset === 0 && b.length !== size)) return emptySlot(kind, time ?? 0);
  if (time === undefined) time = b.readUInt32BE(0);
  else if (b.readUInt32BE(0) !== time) return emptySlot(kind, time);
  const s = emptySlot(kind, time);
  let o = 4;
  KINDS[kind].forEach((f: FieldSpec, i) => {
    s.avg[i] = b.readFloatBE(o);
    if (f.kind === 'gauge') {
      s.max[i] = b.readFloatBE(o + 4);
      s.weight[i] = b.readUInt16BE(o + 8);
      o += GAUGE_BYTES;
    } else {
      s.max[i] = s.avg[i]!;
      s.weight[i] = Number.isNaN(s.avg[i]!) ? 0 : 1;
      o += LIMIT_BYTES;
    }
  });
  return s;
}

/** A DataView of a buffer: its accessors are compiled inline, Buffer's float readers and writers are not. */
export function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Adds a sample of `weight` minutes to an encoded record, in place (at `offset` of `d`):
 * the refresh path, which would otherwise decode and re-encode every object's running
 * slots on every refresh. An imported value in the slot gives way to Steward's own.
 */
export function accumulateAt(kind: Kind, d: DataView, offset: number, values: readonly (number | undefined)[], weight: number): void {
  let o = offset + 4;
  const fields = KINDS[kind] as readonly FieldSpec[];
  for (let i = 0; i < fields.length; i++) {
    const v = values[i];
    if (fields[i]!.kind === 'limit') {
      if (v !== undefined && Number.isFinite(v)) d.setFloat32(o, v);
      o += LIMIT_BYTES;
      continue;
    }
    if (v !== undefined && Number.isFinite(v)) {
      const w0 = d.getUint16(o + 8);
      if (w0 === 0) {
        d.setFloat32(o, v);
        d.setFloat32(o + 4, v);
        d.setUint16(o + 8, Math.min(65_535, weight));
      } else {
        const w = Math.min(65_535 - w0, weight);
        if (w > 0) {
          d.setFloat32(o, (d.getFloat32(o) * w0 + v * w) / (w0 + w));
          d.setFloat32(o + 4, Math.max(d.getFloat32(o + 4), v));
          d.setUint16(o + 8, w0 + w);
        }
      }
    }
    o += GAUGE_BYTES;
  }
}

/** An empty record for `time`, written at `offset` of `d`. */
export function clearAt(kind: Kind, d: DataView, offset: number, time: number): void {
  d.setUint32(offset, time);
  let o = offset + 4;
  for (const f of KINDS[kind] as readonly FieldSpec[]) {
    d.setFloat32(o, NaN);
    if (f.kind === 'gauge') {
      d.setFloat32(o + 4, NaN);
      d.setUint16(o + 8, 0);
      o += GAUGE_BYTES;
    } else o += LIMIT_BYTES;
  }
}

/** Fills what the slot does not know yet from a remote's consolidated point (never overwrites). */
export function fillFrom(kind: Kind, s: Slot, point: Record<string, unknown>, cf: Cf): boolean {
  let changed = false;
  KINDS[kind].forEach((f: FieldSpec, i) => {
    const v = point[f.name];
    if (typeof v !== 'number' || !Number.isFinite(v) || s.weight[i]! > 0) return;
    const target = f.kind === 'limit' || cf === 'AVERAGE' ? s.avg : s.max;
    if (!Number.isNaN(target[i]!)) return;
    target[i] = v;
    if (f.kind === 'limit') s.weight[i] = 1;
    changed = true;
  });
  return changed;
}

/** What `under` knows and `over` does not, copied into `over` (imported values under a running slot). */
export function mergeUnder(over: Slot, under: Slot): void {
  for (let i = 0; i < over.avg.length; i++) {
    if (over.weight[i]! > 0) continue;
    if (Number.isNaN(over.avg[i]!)) over.avg[i] = under.avg[i]!;
    if (Number.isNaN(over.max[i]!)) over.max[i] = under.max[i]!;
    if (over.weight[i] === 0 && under.weight[i]! > 0) over.weight[i] = under.weight[i]!;
  }
}

/** The slot start times of `archive` that make up the timeframe ending now, oldest first. */
export function slotTimes(tf: Timeframe, nowSec: number): number[] {
  const { archive, span, step } = TIMEFRAMES[tf];
  const a = ARCHIVES[archive]!;
  // Whole output steps, ending with the one under way (up to now: no points from the future).
  const end = Math.floor(nowSec / step) * step + step;
  const out: number[] = [];
  for (let t = end - span; t < end && t <= nowSec; t += a.step) out.push(t);
  return out;
}

/** A point of an rrddata answer: its time and the fields known then. */
export interface Point {
  time: number;
  [field: string]: number;
}

/**
 * Consolidates archive slots into the timeframe's points, PDM-style: `{time, field…}`, a
 * field absent where nothing is known (a gap is a gap, never a zero). AVERAGE weighs slots
 * by their samples; MAX takes the largest maximum (an imported average where no maximum is known).
 */
export function consolidate(kind: Kind, tf: Timeframe, slots: readonly Slot[], cf: Cf): Point[] {
  const { step } = TIMEFRAMES[tf];
  const fields = KINDS[kind] as readonly FieldSpec[];
  const out: Point[] = [];
  let i = 0;
  while (i < slots.length) {
    const time = Math.floor(slots[i]!.time / step) * step;
    const group: Slot[] = [];
    while (i < slots.length && Math.floor(slots[i]!.time / step) * step === time) group.push(slots[i++]!);
    const point: Point = { time };
    fields.forEach((f, k) => {
      let sum = 0;
      let weight = 0;
      let max = -Infinity;
      let last: number | undefined;
      for (const s of group) {
        const a = s.avg[k]!;
        const m = Number.isNaN(s.max[k]!) ? a : s.max[k]!;
        if (!Number.isNaN(a)) {
          const w = Math.max(1, s.weight[k]!);
          sum += a * w;
          weight += w;
          last = a;
        }
        if (!Number.isNaN(m)) max = Math.max(max, m);
      }
      if (f.kind === 'limit') {
        if (last !== undefined) point[f.name] = cf === 'MAX' ? max : last;
      } else if (cf === 'MAX') {
        if (max !== -Infinity) point[f.name] = max;
      } else if (weight > 0) point[f.name] = sum / weight;
    });
    out.push(point);
  }
  return out;
}

/**
 * Per-second rate of a cumulative counter between two samples (netin, diskread… in
 * /cluster/resources count bytes since the guest started). Unknown — never zero or negative
 * — when there is no earlier sample, the counter went back (guest restarted or migrated),
 * or the samples are further apart than `heartbeat` seconds.
 */
export function counterRate(prev: number | undefined, prevTime: number | undefined, value: number | undefined, time: number, heartbeat: number): number | undefined {
  if (prev === undefined || prevTime === undefined || value === undefined) return undefined;
  const dt = time - prevTime;
  if (dt <= 0 || dt > heartbeat || value < prev) return undefined;
  return (value - prev) / dt;
}
