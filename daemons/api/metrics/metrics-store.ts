// Steward's own metrics history: round-robin archives per object (remote + Proxmox id) in
// LMDB, never in the JS heap. Every refresh's snapshot is written in one transaction; points
// from a remote's own RRD fill what Steward did not see; charts read from here whether the
// remote answers or not. Layout and sizes: docs/architecture.md, "Metrics history".
import type { Database } from 'lmdb';
import type { ResourceTable } from '../resources/table.ts';
import type { RawDbName, Store } from '../store/store.ts';
import { ARCHIVES, KINDS, KIND_IDS, TIMEFRAMES, accumulateAt, clearAt, consolidate, counterRate, decodeSlot, emptySlot, encodeSlot, fillFrom, kindOf, mergeUnder, recordBytes, slotTimes, viewOf } from './archive.ts';
import type { Cf, Kind, Point, Slot, Timeframe } from './archive.ts';
import { COUNTERS, COUNTER_INDEX, NO_SAMPLE, WITH_COUNTERS, readSample } from './samples.ts';

/**
 * Per object (binary): its number in slot keys, the time (s) of its last sample, the
 * counters then (guests), and the 30-minute and 12-hour slots under way — accumulated here,
 * written to their archive when they end. Heads are kept in memory once read (about 220
 * bytes per guest) and written to LMDB when created, when a slot under way ends (every 30
 * minutes), and on shutdown: a refresh then writes one record per object, its minute, and
 * reads none. A crash loses at most the last 30 minutes of the slots under way (their
 * averages are then over fewer samples) and one counter rate.
 */
interface ObjectHead {
  id: number;
  t: number;
  counters: (number | undefined)[];
  running: Slot[];
}

const COUNTERS_OF: Record<Kind, number> = { guest: COUNTER_INDEX.length, node: 0, storage: 0, datastore: 0 };
/** A head's size per kind (computed once: looked up for every object of every refresh). */
const HEAD_BYTES = Object.fromEntries(KIND_IDS.map((k) => [k, 8 + 8 * COUNTERS_OF[k] + (ARCHIVES.length - 1) * recordBytes(k)])) as Record<Kind, number>;

function decodeHead(kind: Kind, buf: Buffer | undefined): ObjectHead | undefined {
  if (!buf || buf.length < 8) return undefined;
  const id = buf.readUInt32BE(0);
  if (buf.length !== HEAD_BYTES[kind]) return { id, t: 0, counters: [], running: [] };
  const counters: (number | undefined)[] = [];
  let o = 8;
  for (let i = 0; i < COUNTERS_OF[kind]; i++, o += 8) {
    const v = buf.readDoubleBE(o);
    counters.push(Number.isNaN(v) ? undefined : v);
  }
  const running = ARCHIVES.slice(1).map((_, i) => decodeSlot(kind, buf, undefined, o + i * recordBytes(kind)));
  return { id, t: buf.readUInt32BE(4), counters, running };
}

/** Where the running slot of `archive` (1, 2) sits in a head. */
function runningOffset(kind: Kind, archive: number): number {
  return 8 + 8 * COUNTERS_OF[kind] + (archive - 1) * recordBytes(kind);
}

function encodeHead(kind: Kind, h: ObjectHead): Buffer {
  const buf = Buffer.allocUnsafe(HEAD_BYTES[kind]);
  buf.writeUInt32BE(h.id, 0);
  buf.writeUInt32BE(h.t, 4);
  let o = 8;
  for (let i = 0; i < COUNTERS_OF[kind]; i++, o += 8) buf.writeDoubleBE(h.counters[i] ?? NaN, o);
  ARCHIVES.slice(1).forEach((_, i) => encodeSlot(kind, h.running[i] ?? emptySlot(kind, 0), buf, o + i * recordBytes(kind)));
  return buf;
}

const ARCHIVE_DBS: readonly RawDbName[] = ['metrics-1m', 'metrics-30m', 'metrics-12h'];

/** How long an object that vanished from its remote keeps its history (the month view). */
export const RETENTION_S = 31 * 86_400;
const PRUNE_EVERY_S = 3600;
const NEXT_ID = '\u0000next-id';
/** Written by flush() on shutdown, removed by the next record: the heads in LMDB are the last ones. */
const CLEAN = '\u0000clean';
/** Objects whose archives are deleted per transaction, so a large remote never blocks the daemon. */
const DELETE_BATCH = 16;

/** A head in memory: `size` bytes at `off` of a slab shared with other heads of its size. */
interface Head {
  buf: Buffer;
  view: DataView;
  off: number;
  size: number;
  /** Newer than the copy in LMDB. */
  unsaved: boolean;
  /**
   * Read from LMDB and not sampled since: the run that wrote it may have ended without
   * writing it again (a crash), after recording minutes it does not know of (write()).
   */
  fromDisk: boolean;
}

/**
 * Heads of one size side by side in 64 KB slabs. A Buffer per head cost ~840 bytes for 220
 * (its object, a DataView, and the 8 KB pool slab it kept alive with other allocations'
 * garbage); here a head costs its bytes and one small object.
 */
class HeadArena {
  private readonly slabs: { buf: Buffer; view: DataView }[] = [];
  private readonly free: Head[] = [];
  private used: number;
  private readonly perSlab: number;

  constructor(private readonly size: number) {
    this.perSlab = Math.floor(65_536 / size);
    this.used = this.perSlab;
  }

  alloc(): Head {
    const reused = this.free.pop();
    if (reused) {
      reused.unsaved = false;
      reused.fromDisk = false;
      return reused;
    }
    if (this.used === this.perSlab) {
      const buf = Buffer.allocUnsafeSlow(this.perSlab * this.size);
      this.slabs.push({ buf, view: viewOf(buf) });
      this.used = 0;
    }
    const slab = this.slabs[this.slabs.length - 1]!;
    return { buf: slab.buf, view: slab.view, off: this.size * this.used++, size: this.size, unsaved: false, fromDisk: false };
  }

  release(head: Head): void {
    this.free.push(head);
  }
}

/** The head's bytes (a view, not a copy). */
const bytesOf = (h: Head): Buffer => h.buf.subarray(h.off, h.off + h.size);

/** Per row of a table: its head's key, and its kind (undefined: no history kept). */
interface RowKeys {
  keys: string[];
  kinds: (Kind | undefined)[];
}

/**
 * The minute records one refresh writes, side by side in 64 KB slabs with one DataView
 * each: a Buffer and a DataView of its own per record cost more than the record itself.
 * Each record keeps its place until the transaction ends, whenever lmdb copies it.
 */
class RecordSlab {
  buf = Buffer.alloc(0);
  view = viewOf(this.buf);
  private used = 0;

  /** The offset in `buf` of `size` bytes of its own. */
  take(size: number): number {
    if (this.used + size > this.buf.length) {
      this.buf = Buffer.allocUnsafeSlow(Math.max(65_536, size));
      this.view = viewOf(this.buf);
      this.used = 0;
    }
    const at = this.used;
    this.used += size;
    return at;
  }
}

export class MetricsStore {
  /** One database per archive: a lap's first records are appended at its end (fuller pages). */
  private readonly archives: Database<Buffer, Buffer>[];
  private readonly objects: Database<Buffer, string>;
  private readonly lastPrune = new Map<string, number>();
  /** Heads read or written since start, changed in place. */
  private readonly heads = new Map<string, Head>();
  /** Per id column of a resource table, its rows' head keys and kinds (rowsOf). */
  private readonly rowKeys = new WeakMap<readonly string[], RowKeys>();
  private readonly arenas = new Map<number, HeadArena>();
  /**
   * Whether the heads in LMDB may be behind the minutes recorded: the last run did not end
   * with flush() (a crash), or this store has not been loaded. See write().
   */
  private crashed = true;
  /** The CLEAN mark is in LMDB. */
  private marked = false;
  /** When a chart last asked a remote's RRD (history.ts): per remote, credential, object, timeframe, cf. */
  readonly backfilled = new BoundedMap<string, number>(5000);

  constructor(store: Store) {
    this.archives = ARCHIVE_DBS.map((name) => store.rawDb<Buffer, Buffer>(name, 'binary', 'binary'));
    this.objects = store.rawDb<Buffer, string>('metrics-objects', 'binary');
  }

  /**
   * Adds one refresh's samples. A sample stands for the time since the previous one (up to
   * `heartbeat` seconds: 10 minutes, or 2.5 poll intervals if longer), so a poll interval
   * above a minute leaves no holes in the minute archive; a longer silence is a gap.
   */
  async record(remote: string, timeMs: number, rows: ResourceTable, pollIntervalS = 60): Promise<void> {
    const t = Math.floor(timeMs / 1000);
    const heartbeat = Math.max(600, pollIntervalS * 2.5);
    const { keys, kinds } = this.rowsOf(remote, rows.ids);
    // Filled for each row in turn (readSample); the minute records written go in one slab.
    const values = Object.fromEntries(KIND_IDS.map((k) => [k, new Array<number | undefined>(KINDS[k].length)])) as Record<Kind, (number | undefined)[]>;
    const counters = new Array<number | undefined>(COUNTERS.length);
    const records = new RecordSlab();
    await this.objects.transaction(() => {
      if (this.marked) {
        void this.objects.remove(CLEAN);
        this.marked = false;
      }
      let nextId: number | undefined;
      for (let row = 0; row < rows.length; row++) {
        const kind = kinds[row];
        if (!kind) continue;
        const v = values[kind];
        const sampled = readSample(rows, row, kind, v, counters);
        if (sampled === NO_SAMPLE) continue;
        const key = keys[row]!;
        const size = HEAD_BYTES[kind];
        let head = this.heads.get(key);
        let fresh = false;
        if (!head || head.size !== size) {
          const old = head;
          // lmdb's fast read buffer is shared: copied into the head at once.
          const stored = old ? bytesOf(old) : this.objects.getBinaryFast(key);
          head = this.arena(size).alloc();
          if (stored && stored.length === size) {
            view(stored).copy(head.buf, head.off);
            head.fromDisk = !old && this.crashed;
          } else {
            let id = stored && stored.length >= 4 ? stored.readUInt32BE(0) : undefined;
            if (id === undefined) {
              nextId ??= this.nextId();
              id = nextId++;
            }
            head.view.setUint32(head.off, id);
            head.view.setUint32(head.off + 4, 0);
            for (let i = 0; i < COUNTERS_OF[kind]; i++) head.view.setFloat64(head.off + 8 + 8 * i, NaN);
            for (let a = 1; a < ARCHIVES.length; a++) clearAt(kind, head.view, head.off + runningOffset(kind, a), 0);
            fresh = true;
          }
          if (old) this.arena(old.size).release(old);
          this.heads.set(key, head);
        }
        const d = head.view;
        const o = head.off;
        const prevT = fresh ? undefined : d.getUint32(o + 4);
        if (prevT !== undefined && prevT >= t) continue;
        d.setUint32(o + 4, t);
        for (let i = 0; i < COUNTERS_OF[kind]; i++) {
          const now = sampled === WITH_COUNTERS ? counters[i] : undefined;
          if (sampled === WITH_COUNTERS) {
            const prev = d.getFloat64(o + 8 + 8 * i);
            v[COUNTER_INDEX[i]!] = counterRate(Number.isNaN(prev) ? undefined : prev, prevT, now, t, heartbeat);
          }
          d.setFloat64(o + 8 + 8 * i, now ?? NaN);
        }
        const ended = this.write(kind, head, prevT !== undefined && t - prevT <= heartbeat ? prevT : undefined, t, v, records);
        head.fromDisk = false;
        if (fresh || ended) this.saveHead(key, head);
        else head.unsaved = true;
      }
      if (nextId !== undefined) void this.objects.put(NEXT_ID, u32(nextId));
    });
    // The first prune of a remote comes an hour after its first record, not on it: after a
    // restart every remote records at once, and that refresh should not also walk them all.
    const lastPrune = this.lastPrune.get(remote);
    if (lastPrune === undefined) this.lastPrune.set(remote, t);
    else if (t - lastPrune >= PRUNE_EVERY_S) {
      this.lastPrune.set(remote, t);
      await this.prune(remote, t);
    }
  }

  /**
   * Reads every head the last run left into memory (at start, beside the snapshot cache), so
   * the first refresh after a restart reads nothing either: ~0.1 s at 50,000 guests.
   */
  load(): void {
    this.marked = this.objects.getBinaryFast(CLEAN) !== undefined;
    this.crashed = !this.marked;
    for (const { key, value } of this.objects.getRange()) {
      if (key === NEXT_ID || key === CLEAN || this.heads.has(key)) continue;
      const kind = kindOf(key.slice(key.indexOf('\u0000') + 1));
      if (!kind || value.length !== HEAD_BYTES[kind]) continue;
      const head = this.arena(value.length).alloc();
      value.copy(head.buf, head.off);
      head.fromDisk = this.crashed;
      this.heads.set(key, head);
    }
  }

  private arena(size: number): HeadArena {
    let a = this.arenas.get(size);
    if (!a) this.arenas.set(size, (a = new HeadArena(size)));
    return a;
  }

  /**
   * The heads' keys and the kinds of a table's rows. A refresh's table keeps its
   * predecessor's id column when no id changed, and then the same key strings (their hashes
   * computed once) serve.
   */
  private rowsOf(remote: string, ids: readonly string[]): RowKeys {
    let rows = this.rowKeys.get(ids);
    if (!rows) {
      rows = { keys: ids.map((id) => objectKey(remote, id)), kinds: ids.map(kindOf) };
      this.rowKeys.set(ids, rows);
    }
    return rows;
  }

  /** Inside a transaction: the head into LMDB (a copy, as the one in memory changes on). */
  private saveHead(key: string, head: Head): void {
    void this.objects.put(key, Buffer.from(bytesOf(head)));
    head.unsaved = false;
  }

  /** Writes the heads changed since they were last written (on shutdown). */
  async flush(): Promise<void> {
    const unsaved = [...this.heads].filter(([, h]) => h.unsaved);
    await this.objects.transaction(() => {
      for (const [key, head] of unsaved) this.saveHead(key, head);
      void this.objects.put(CLEAN, u32(1));
      this.marked = true;
    });
  }

  /** The head of an object: the one in memory, else LMDB's. */
  private head(key: string): Buffer | undefined {
    const head = this.heads.get(key);
    return head ? bytesOf(head) : this.objects.getBinaryFast(key);
  }

  private nextId(): number {
    const b = this.objects.getBinaryFast(NEXT_ID);
    return b && b.length === 4 ? b.readUInt32BE(0) : 1;
  }

  /**
   * One sample: into each minute since `since` (the minute archive), and into the head's
   * running 30-minute and 12-hour slots; a running slot that has ended goes to its archive
   * (then it returns true).
   */
  private write(kind: Kind, head: Head, since: number | undefined, t: number, values: readonly (number | undefined)[], records: RecordSlab): boolean {
    const d = head.view;
    const id = d.getUint32(head.off);
    const a0 = ARCHIVES[0]!;
    const db = this.archives[0]!;
    const size = recordBytes(kind);
    const last = Math.floor(t / a0.step);
    const first = since === undefined ? last : Math.min(last, Math.floor(since / a0.step) + 1);
    for (let m = first; m <= last; m++) {
      const time = m * a0.step;
      // lmdb copies a key as it is given: one buffer serves every minute record.
      const key = rawSlotKey(m % a0.size, id, MINUTE_KEY);
      // The minute of the last sample (poll interval under a minute) is added to; the
      // minutes between the last sample and this one are filled with it, over what a
      // chart's backfill put there. Except on the first sample of a head read from LMDB: the
      // run that wrote it may have ended without writing it again (a crash), after
      // recording later minutes (after a shutdown that wrote the heads, none are read). Those
      // it recorded are kept, and this minute, if it recorded it, is added to. Otherwise this
      // sample's minute is written without reading it first.
      const stored = head.fromDisk || (since !== undefined && Math.floor(since / a0.step) === m) ? db.getBinaryFast(key) : undefined;
      const sampled = stored !== undefined && stored.length === size && stored.readUInt32BE(0) === time;
      if (sampled && m < last) continue;
      const at = records.take(size);
      if (sampled) view(stored).copy(records.buf, at);
      else clearAt(kind, records.view, at, time);
      accumulateAt(kind, records.view, at, values, 1);
      void db.put(key, records.buf.subarray(at, at + size));
    }
    const weight = last - first + 1;
    let ended = false;
    for (let a = 1; a < ARCHIVES.length; a++) {
      const step = ARCHIVES[a]!.step;
      const time = Math.floor(t / step) * step;
      const offset = head.off + runningOffset(kind, a);
      const running = d.getUint32(offset);
      if (running !== time) {
        if (running !== 0) this.archiveSlot(kind, a, id, decodeSlot(kind, head.buf, undefined, offset));
        clearAt(kind, d, offset, time);
        ended = true;
      }
      accumulateAt(kind, d, offset, values, weight);
    }
    return ended;
  }

  /** A running slot that ended, into its archive (over what was imported there). */
  private archiveSlot(kind: Kind, archive: number, id: number, slot: Slot): void {
    const key = slotKey(archive, slot.time, id);
    const db = this.archives[archive]!;
    mergeUnder(slot, decodeSlot(kind, db.getBinaryFast(key), slot.time));
    void db.put(key, encodeSlot(kind, slot));
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
    const db = this.archives[archive]!;
    let changed = 0;
    await this.objects.transaction(() => {
      let head = decodeHead(kind, this.head(key));
      if (!head) {
        const id = this.nextId();
        void this.objects.put(NEXT_ID, u32(id + 1));
        head = { id, t: Math.min(now, times[times.length - 1]!), counters: [], running: [] };
        const entry = this.arena(HEAD_BYTES[kind]).alloc();
        encodeHead(kind, head).copy(entry.buf, entry.off);
        this.heads.set(key, entry);
        this.saveHead(key, entry);
      }
      const id = head.id;
      for (const p of points) {
        if (typeof p.time !== 'number') continue;
        for (let u = p.time; u < p.time + step; u += a.step) {
          if (u < oldest || u > now) continue;
          const k = slotKey(archive, u, id);
          const slot = decodeSlot(kind, db.getBinaryFast(k), u);
          if (!fillFrom(kind, slot, p, cf)) continue;
          void db.put(k, encodeSlot(kind, slot));
          changed++;
        }
      }
    });
    return changed;
  }

  /** The timeframe's points, PDM-style; [] for an object never seen. */
  read(remote: string, objectId: string, tf: Timeframe, cf: Cf, nowMs: number): Point[] {
    const kind = kindOf(objectId);
    const head = kind && decodeHead(kind, this.head(objectKey(remote, objectId)));
    if (!kind || !head) return [];
    const { archive } = TIMEFRAMES[tf];
    const running = archive > 0 ? head.running[archive - 1] : undefined;
    const slots = slotTimes(tf, Math.floor(nowMs / 1000)).map((time) => {
      const stored = decodeSlot(kind, this.archives[archive]!.getBinaryFast(slotKey(archive, time, head.id)), time);
      if (running?.time !== time) return stored;
      mergeUnder(running, stored);
      return running;
    });
    return consolidate(kind, tf, slots, cf);
  }

  /** Whether Steward holds any history of the object. */
  has(remote: string, objectId: string): boolean {
    return this.head(objectKey(remote, objectId)) !== undefined;
  }

  /** Drops the archives of objects of `remote` not sampled for RETENTION_S. Returns how many. */
  async prune(remote: string, nowS: number): Promise<number> {
    return this.drop(remote, (t) => nowS - t > RETENTION_S);
  }

  /** Drops every archive of a remote (it was deleted). */
  async removeRemote(remote: string): Promise<number> {
    this.lastPrune.delete(remote);
    return this.drop(remote, () => true);
  }

  private async drop(remote: string, which: (lastSample: number) => boolean): Promise<number> {
    const prefix = `${remote}\u0000`;
    const doomed: { key: string; id: number }[] = [];
    for (const { key, value } of this.objects.getRange({ start: prefix })) {
      if (!key.startsWith(prefix)) break;
      // Every head is in LMDB (written when created); the one in memory has the last sample.
      const inMemory = this.heads.get(key);
      const head = inMemory ? bytesOf(inMemory) : value;
      if (head.length >= 8 && which(head.readUInt32BE(4))) doomed.push({ key, id: head.readUInt32BE(0) });
    }
    for (let i = 0; i < doomed.length; i += DELETE_BATCH) {
      await this.objects.transaction(() => {
        for (const { key, id } of doomed.slice(i, i + DELETE_BATCH)) {
          ARCHIVES.forEach((a, archive) => {
            for (let slot = 0; slot < a.size; slot++) void this.archives[archive]!.remove(rawSlotKey(slot, id));
          });
          void this.objects.remove(key);
          const head = this.heads.get(key);
          if (head) this.arena(head.size).release(head);
          this.heads.delete(key);
        }
      });
    }
    return doomed.length;
  }
}

/** lmdb's fast reads hand out a shared buffer whose `length` (not `byteLength`) is the value's. */
function view(fast: Buffer): Buffer {
  return Buffer.from(fast.buffer, fast.byteOffset, fast.length);
}

/** A Map that forgets its oldest entry beyond `max` entries. */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.max) this.delete(this.keys().next().value!);
    return super.set(key, value);
  }
}

function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n, 0);
  return b;
}

function objectKey(remote: string, objectId: string): string {
  return `${remote}\u0000${objectId}`;
}

/**
 * Slot keys are slot index then object number (6 bytes): one refresh's writes — the same
 * slot of every object — sit side by side, so a refresh of 50,000 guests dirties a few
 * hundred pages instead of one page per guest.
 */
function slotKey(archive: number, time: number, id: number): Buffer {
  const a = ARCHIVES[archive]!;
  return rawSlotKey(Math.floor(time / a.step) % a.size, id);
}

const MINUTE_KEY = Buffer.alloc(6);

function rawSlotKey(slot: number, id: number, k = Buffer.allocUnsafe(6)): Buffer {
  k.writeUInt16BE(slot, 0);
  k.writeUInt32BE(id, 2);
  return k;
}
