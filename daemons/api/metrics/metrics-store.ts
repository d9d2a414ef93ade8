// Steward's own metrics history: round-robin archives per object (remote + Proxmox id) in
// LMDB, never in the JS heap. Every refresh's snapshot is written in one transaction; points
// from a remote's own RRD fill what Steward did not see; charts read from here whether the
// remote answers or not. Layout and sizes: docs/architecture.md, "Metrics history".
import type { Database } from 'lmdb';
import type { Resource } from '../../../shared/resources.ts';
import type { Store } from '../store/store.ts';
import { ARCHIVES, TIMEFRAMES, accumulate, consolidate, counterRate, decodeSlot, encodeSlot, fillFrom, kindOf, slotTimes } from './archive.ts';
import type { Cf, Kind, Point, Slot, Timeframe } from './archive.ts';
import { COUNTER_INDEX, sampleOf } from './samples.ts';

/** Per object: its number in slot keys, the time (s) of its last sample and the counters then. */
interface ObjectHead {
  id: number;
  t: number;
  c?: (number | null)[];
}

/** How long an object that vanished from its remote keeps its history (the month view). */
export const RETENTION_S = 31 * 86_400;
const PRUNE_EVERY_S = 3600;
const NEXT_ID = '\u0000next-id';
/** Objects whose archives are deleted per transaction, so a large remote never blocks the daemon. */
const DELETE_BATCH = 16;

export class MetricsStore {
  private readonly slots: Database<Buffer, Buffer>;
  private readonly objects: Database<ObjectHead | number, string>;
  private readonly lastPrune = new Map<string, number>();

  constructor(store: Store) {
    this.slots = store.rawDb<Buffer, Buffer>('metrics-slots', 'binary', 'binary');
    this.objects = store.rawDb<ObjectHead | number, string>('metrics-objects', 'msgpack');
  }

  /**
   * Adds one refresh's samples. A sample stands for the time since the previous one (up to
   * `heartbeat` seconds: 10 minutes, or 2.5 poll intervals if longer), so a poll interval
   * above a minute leaves no holes in the minute archive; a longer silence is a gap.
   */
  async record(remote: string, timeMs: number, resources: readonly Resource[], pollIntervalS = 60): Promise<void> {
    const t = Math.floor(timeMs / 1000);
    const heartbeat = Math.max(600, pollIntervalS * 2.5);
    await this.objects.transaction(() => {
      let nextId: number | undefined;
      for (const r of resources) {
        const sample = sampleOf(r);
        if (!sample) continue;
        const key = objectKey(remote, sample.objectId);
        const prev = this.objects.get(key) as ObjectHead | undefined;
        if (prev && prev.t >= t) continue;
        let id = prev?.id;
        if (id === undefined) {
          nextId ??= (this.objects.get(NEXT_ID) as number | undefined) ?? 1;
          id = nextId++;
        }
        const values = sample.values;
        if (sample.counters) {
          COUNTER_INDEX.forEach((field, i) => {
            values[field] = counterRate(prev?.c?.[i] ?? undefined, prev?.t, sample.counters![i], t, heartbeat);
          });
        }
        this.write(sample.kind, id, prev && t - prev.t <= heartbeat ? prev.t : undefined, t, values);
        void this.objects.put(key, { id, t, ...(sample.counters ? { c: sample.counters.map((v) => v ?? null) } : {}) });
      }
      if (nextId !== undefined) void this.objects.put(NEXT_ID, nextId);
    });
    if (t - (this.lastPrune.get(remote) ?? 0) >= PRUNE_EVERY_S) {
      this.lastPrune.set(remote, t);
      await this.prune(remote, t);
    }
  }

  /** One sample into every archive; in the minute archive it fills each minute since `since`. */
  private write(kind: Kind, id: number, since: number | undefined, t: number, values: readonly (number | undefined)[]): void {
    const a0 = ARCHIVES[0]!;
    const last = Math.floor(t / a0.step);
    const first = since === undefined ? last : Math.min(last, Math.floor(since / a0.step) + 1);
    const weight = last - first + 1;
    for (let m = first; m <= last; m++) this.update(kind, 0, id, m * a0.step, (s) => accumulate(kind, s, values, 1));
    for (let a = 1; a < ARCHIVES.length; a++) {
      const step = ARCHIVES[a]!.step;
      this.update(kind, a, id, Math.floor(t / step) * step, (s) => accumulate(kind, s, values, weight));
    }
  }

  private update(kind: Kind, archive: number, id: number, time: number, change: (s: Slot) => boolean | void): void {
    const key = slotKey(archive, time, id);
    const slot = decodeSlot(kind, this.slots.getBinaryFast(key), time);
    if (change(slot) === false) return;
    void this.slots.put(key, encodeSlot(kind, slot));
  }

  /**
   * Fills empty places with a remote's consolidated rrddata points (one timeframe, one cf):
   * history from before Steward knew the object, from while Steward was not running, and
   * fields the snapshot does not carry (a node's network, load). Steward's own samples are
   * never overwritten. Returns the number of slots changed.
   */
  async importPoints(remote: string, objectId: string, tf: Timeframe, cf: Cf, points: readonly Record<string, unknown>[], nowMs: number): Promise<number> {
    const kind = kindOf(objectId);
    if (!kind) return 0;
    const times = points.map((p) => p.time).filter((x): x is number => typeof x === 'number' && Number.isInteger(x)).sort((x, y) => x - y);
    if (times.length < 2) return 0;
    const step = times[1]! - times[0]!;
    const archive = TIMEFRAMES[tf].archive;
    const a = ARCHIVES[archive]!;
    if (step <= 0 || step % a.step !== 0) return 0;
    const now = Math.floor(nowMs / 1000);
    const oldest = (Math.floor(now / a.step) - a.size + 1) * a.step;
    const key = objectKey(remote, objectId);
    let changed = 0;
    await this.objects.transaction(() => {
      let head = this.objects.get(key) as ObjectHead | undefined;
      if (!head) {
        const id = (this.objects.get(NEXT_ID) as number | undefined) ?? 1;
        void this.objects.put(NEXT_ID, id + 1);
        head = { id, t: Math.min(now, times[times.length - 1]!) };
        void this.objects.put(key, head);
      }
      for (const p of points) {
        if (typeof p.time !== 'number') continue;
        for (let u = p.time; u < p.time + step; u += a.step) {
          if (u < oldest || u > now) continue;
          this.update(kind, archive, head.id, u, (s) => {
            const did = fillFrom(kind, s, p, cf);
            if (did) changed++;
            return did;
          });
        }
      }
    });
    return changed;
  }

  /** The timeframe's points, PDM-style; [] for an object never seen. */
  read(remote: string, objectId: string, tf: Timeframe, cf: Cf, nowMs: number): Point[] {
    const kind = kindOf(objectId);
    const head = this.objects.get(objectKey(remote, objectId)) as ObjectHead | undefined;
    if (!kind || !head) return [];
    const { archive } = TIMEFRAMES[tf];
    const slots = slotTimes(tf, Math.floor(nowMs / 1000)).map((time) => decodeSlot(kind, this.slots.getBinaryFast(slotKey(archive, time, head.id)), time));
    return consolidate(kind, tf, slots, cf);
  }

  /** Whether Steward holds any history of the object. */
  has(remote: string, objectId: string): boolean {
    return this.objects.get(objectKey(remote, objectId)) !== undefined;
  }

  /** Drops the archives of objects of `remote` not sampled for RETENTION_S. Returns how many. */
  async prune(remote: string, nowS: number): Promise<number> {
    return this.drop(remote, (h) => nowS - h.t > RETENTION_S);
  }

  /** Drops every archive of a remote (it was deleted). */
  async removeRemote(remote: string): Promise<number> {
    this.lastPrune.delete(remote);
    return this.drop(remote, () => true);
  }

  private async drop(remote: string, which: (h: ObjectHead) => boolean): Promise<number> {
    const prefix = `${remote}\u0000`;
    const doomed: { key: string; head: ObjectHead }[] = [];
    for (const { key, value } of this.objects.getRange({ start: prefix })) {
      if (!key.startsWith(prefix)) break;
      if (which(value as ObjectHead)) doomed.push({ key, head: value as ObjectHead });
    }
    for (let i = 0; i < doomed.length; i += DELETE_BATCH) {
      await this.objects.transaction(() => {
        for (const { key, head } of doomed.slice(i, i + DELETE_BATCH)) {
          ARCHIVES.forEach((a, archive) => {
            for (let slot = 0; slot < a.size; slot++) void this.slots.remove(rawSlotKey(archive, slot, head.id));
          });
          void this.objects.remove(key);
        }
      });
    }
    return doomed.length;
  }
}

function objectKey(remote: string, objectId: string): string {
  return `${remote}\u0000${objectId}`;
}

/**
 * Slot keys are archive, slot index, object number (7 bytes): one refresh's writes — the
 * same slot of every object — sit side by side, so a refresh of 50,000 guests dirties a few
 * hundred pages instead of one page per guest.
 */
function slotKey(archive: number, time: number, id: number): Buffer {
  const a = ARCHIVES[archive]!;
  return rawSlotKey(archive, Math.floor(time / a.step) % a.size, id);
}

function rawSlotKey(archive: number, slot: number, id: number): Buffer {
  const k = Buffer.allocUnsafe(7);
  k.writeUInt8(archive, 0);
  k.writeUInt16BE(slot, 1);
  k.writeUInt32BE(id, 3);
  return k;
}
