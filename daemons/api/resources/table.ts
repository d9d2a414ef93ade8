// The resources of one remote's last snapshot, held as columns: numbers in one Float64Array,
// each text field in an array of strings, the search keys (lower-cased) beside them. At
// 50,000 guests, the parsed answer objects this replaces cost ~40 MB live and, since every
// refresh replaced all of them, as much again of old-generation garbage per refresh (see
// docs/architecture.md, "Memory"). A refresh now keeps the previous table's strings wherever
// a value is unchanged, so what a refresh parses dies young and little reaches the old heap.
import type { RemoteType } from '../../../shared/remotes.ts';
import type { Resource, ResourceType } from '../../../shared/resources.ts';

const TYPES: readonly ResourceType[] = ['qemu', 'lxc', 'node', 'storage', 'datastore'];
const TEXT = ['name', 'node', 'status', 'tags', 'pool', 'lock', 'hastate', 'storage', 'plugintype', 'content', 'level'] as const;
// The order is each field's column (the constructor writes them by index).
// diskread and diskwrite are not in the wire resource: the metrics history reads them here.
const NUMBERS = ['vmid', 'cpu', 'maxcpu', 'mem', 'maxmem', 'disk', 'maxdisk', 'uptime', 'netin', 'netout', 'estimated-full-date', 'diskread', 'diskwrite'] as const;
export type TextField = (typeof TEXT)[number];
export type NumberField = (typeof NUMBERS)[number];
const NUMBER_INDEX = Object.fromEntries(NUMBERS.map((f, k) => [f, k])) as Record<NumberField, number>;
const W = NUMBERS.length;

// Flags of the two booleans: whether each is present, and its value.
const TEMPLATE_SET = 1;
const TEMPLATE = 2;
const SHARED_SET = 4;
const SHARED = 8;

type Column = (string | undefined)[];

/** One string for each distinct value of a table. */
function one(v: string, shared: Map<string, string>): string {
  const have = shared.get(v);
  if (have !== undefined) return have;
  shared.set(v, v);
  return v;
}

/** `prev` when it holds the same values (the same strings) as `next`. */
function same<C extends ArrayLike<unknown>>(next: C, prev: C): C {
  if (next.length !== prev.length) return next;
  for (let i = 0; i < next.length; i++) if (next[i] !== prev[i]) return next;
  return prev;
}

/** The previous table's string when the value is unchanged, else one shared string. */
function keep(prev: Column | undefined, j: number, v: string | undefined, shared: Map<string, string>): string | undefined {
  if (v === undefined) return undefined;
  const before = prev?.[j];
  return before === v ? before : one(v, shared);
}

/** `;a;b;` — tags lower-cased between separators, so a tag test is one includes(). */
function tagsKey(tags: string | undefined): string {
  return tags ? `;${tags.toLowerCase().replace(/[,\s]+/g, ';')};` : '';
}

export class ResourceTable {
  readonly length: number;
  readonly remote: string;
  readonly remoteType: RemoteType;
  /** Lower-cased remote id, for searches. */
  readonly remoteKey: string;
  readonly ids: string[];
  private readonly types: Uint8Array;
  private readonly flags: Uint8Array;
  /** Row-major: row i's fields are at i * W + NUMBER_INDEX[field]; NaN where absent. */
  private readonly numbers: Float64Array;
  private readonly texts: Record<TextField, Column>;
  /** Search keys: lower-cased name, id, node and status ('' where absent), and tags as `;a;b;`. */
  readonly nameKey: string[];
  readonly idKey: string[];
  readonly nodeKey: string[];
  readonly statusKey: string[];
  readonly tagsKey: string[];

  static readonly empty = (remote: string, remoteType: RemoteType) => new ResourceTable(remote, remoteType, []);

  /**
   * `prev`, the remote's previous table: a value equal to the one it held for the same id is
   * taken from it, so the string just parsed is left to die young.
   */
  constructor(remote: string, remoteType: RemoteType, resources: readonly Resource[], prev?: ResourceTable) {
    const n = resources.length;
    this.length = n;
    this.remote = remote;
    this.remoteType = remoteType;
    this.remoteKey = remote.toLowerCase();
    this.ids = new Array<string>(n);
    this.types = new Uint8Array(n);
    this.flags = new Uint8Array(n);
    this.numbers = new Float64Array(n * W).fill(NaN);
    this.texts = Object.fromEntries(TEXT.map((f) => [f, new Array<string | undefined>(n).fill(undefined)])) as Record<TextField, Column>;
    this.nameKey = new Array<string>(n);
    this.idKey = new Array<string>(n);
    this.nodeKey = new Array<string>(n);
    this.statusKey = new Array<string>(n);
    this.tagsKey = new Array<string>(n);
    const prevRow = new Map<string, number>();
    if (prev) for (let j = 0; j < prev.length; j++) prevRow.set(prev.ids[j]!, j);
    // Values repeated across rows (node, status, storage names) share one string.
    const shared = new Map<string, string>();
    const t = this.texts;
    const pt = prev?.texts;
    const nums = this.numbers;
    // Field by field, not in a loop over names: a property read by a variable name on
    // objects of several shapes is several times slower, and this runs 50,000 times a minute.
    for (let i = 0; i < n; i++) {
      const r = resources[i]!;
      const j = prevRow.get(r.id) ?? -1;
      const p = j >= 0 ? prev! : undefined;
      this.types[i] = TYPES.indexOf(r.type);
      this.ids[i] = p ? p.ids[j]! : r.id;
      this.idKey[i] = p ? p.idKey[j]! : r.id.toLowerCase();
      const name = (t.name[i] = keep(pt?.name, j, r.name, shared));
      const node = (t.node[i] = keep(pt?.node, j, r.node, shared));
      const status = (t.status[i] = keep(pt?.status, j, r.status, shared));
      const tags = (t.tags[i] = keep(pt?.tags, j, r.tags, shared));
      t.pool[i] = keep(pt?.pool, j, r.pool, shared);
      t.lock[i] = keep(pt?.lock, j, r.lock, shared);
      t.hastate[i] = keep(pt?.hastate, j, r.hastate, shared);
      t.storage[i] = keep(pt?.storage, j, r.storage, shared);
      t.plugintype[i] = keep(pt?.plugintype, j, r.plugintype, shared);
      t.content[i] = keep(pt?.content, j, r.content, shared);
      t.level[i] = keep(pt?.level, j, r.level, shared);
      // A search key follows its value: kept from the previous table when the value is.
      this.nameKey[i] = p && pt!.name[j] === name ? p.nameKey[j]! : (name ?? '').toLowerCase();
      this.nodeKey[i] = p && pt!.node[j] === node ? p.nodeKey[j]! : one((node ?? '').toLowerCase(), shared);
      this.statusKey[i] = p && pt!.status[j] === status ? p.statusKey[j]! : one((status ?? '').toLowerCase(), shared);
      this.tagsKey[i] = p && pt!.tags[j] === tags ? p.tagsKey[j]! : one(tagsKey(tags), shared);
      const b = i * W;
      if (r.vmid !== undefined) nums[b] = r.vmid;
      if (r.cpu !== undefined) nums[b + 1] = r.cpu;
      if (r.maxcpu !== undefined) nums[b + 2] = r.maxcpu;
      if (r.mem !== undefined) nums[b + 3] = r.mem;
      if (r.maxmem !== undefined) nums[b + 4] = r.maxmem;
      if (r.disk !== undefined) nums[b + 5] = r.disk;
      if (r.maxdisk !== undefined) nums[b + 6] = r.maxdisk;
      if (r.uptime !== undefined) nums[b + 7] = r.uptime;
      if (r.netin !== undefined) nums[b + 8] = r.netin;
      if (r.netout !== undefined) nums[b + 9] = r.netout;
      if (r['estimated-full-date'] !== undefined) nums[b + 10] = r['estimated-full-date'];
      const { diskread, diskwrite } = r as { diskread?: unknown; diskwrite?: unknown };
      if (typeof diskread === 'number') nums[b + 11] = diskread;
      if (typeof diskwrite === 'number') nums[b + 12] = diskwrite;
      let flags = 0;
      if (r.template !== undefined) flags |= TEMPLATE_SET | (r.template ? TEMPLATE : 0);
      if (r.shared !== undefined) flags |= SHARED_SET | (r.shared ? SHARED : 0);
      this.flags[i] = flags;
    }
    // A column equal to the previous table's is that column: most are (names, nodes, tags
    // rarely change between two refreshes), and the one just built dies young instead of
    // joining the old generation. Only the numbers are new each time.
    if (prev) {
      this.ids = same(this.ids, prev.ids);
      this.idKey = same(this.idKey, prev.idKey);
      this.nameKey = same(this.nameKey, prev.nameKey);
      this.nodeKey = same(this.nodeKey, prev.nodeKey);
      this.statusKey = same(this.statusKey, prev.statusKey);
      this.tagsKey = same(this.tagsKey, prev.tagsKey);
      this.types = same(this.types, prev.types);
      this.flags = same(this.flags, prev.flags);
      for (const f of TEXT) t[f] = same(t[f], pt![f]);
    }
  }

  type(i: number): ResourceType {
    return TYPES[this.types[i]!]!;
  }

  isGuest(i: number): boolean {
    const t = this.types[i]!;
    return t <= 1;
  }

  /** A text field; undefined where the remote gave none. */
  str(f: TextField, i: number): string | undefined {
    return this.texts[f][i];
  }

  /** A number field; undefined where the remote gave none. */
  num(f: NumberField, i: number): number | undefined {
    const v = this.numbers[i * W + NUMBER_INDEX[f]]!;
    return Number.isNaN(v) ? undefined : v;
  }

  template(i: number): boolean | undefined {
    const f = this.flags[i]!;
    return f & TEMPLATE_SET ? (f & TEMPLATE) !== 0 : undefined;
  }

  shared(i: number): boolean | undefined {
    const f = this.flags[i]!;
    return f & SHARED_SET ? (f & SHARED) !== 0 : undefined;
  }

  /** Any field of the wire resource by its name (the search's `property:` term). */
  field(i: number, name: string): string | number | boolean | undefined {
    switch (name) {
      case 'remote': return this.remote;
      case 'remote-type': return this.remoteType;
      case 'id': return this.ids[i];
      case 'type': return this.type(i);
      case 'template': return this.template(i);
      case 'shared': return this.shared(i);
    }
    if (Object.hasOwn(NUMBER_INDEX, name)) return this.num(name as NumberField, i);
    if ((TEXT as readonly string[]).includes(name)) return this.texts[name as TextField][i];
    return undefined;
  }

  /** The row of a resource id, or -1. */
  indexOf(id: string): number {
    return this.ids.indexOf(id);
  }

  /** Row i as the wire resource, fields in the schema's order. */
  resource(i: number): Resource {
    const r: Resource = { remote: this.remote, 'remote-type': this.remoteType, id: this.ids[i]!, type: this.type(i) };
    const put = (f: keyof Resource, v: string | number | boolean | undefined) => {
      if (v !== undefined) (r as Record<string, unknown>)[f] = v;
    };
    put('name', this.texts.name[i]);
    put('node', this.texts.node[i]);
    put('status', this.texts.status[i]);
    put('vmid', this.num('vmid', i));
    put('template', this.template(i));
    for (const f of ['tags', 'pool', 'lock', 'hastate'] as const) put(f, this.texts[f][i]);
    for (const f of ['cpu', 'maxcpu', 'mem', 'maxmem', 'disk', 'maxdisk', 'uptime', 'netin', 'netout'] as const) put(f, this.num(f, i));
    for (const f of ['storage', 'plugintype', 'content'] as const) put(f, this.texts[f][i]);
    put('shared', this.shared(i));
    put('level', this.texts.level[i]);
    put('estimated-full-date', this.num('estimated-full-date', i));
    return r;
  }

  /** Every row as wire resources (to write the snapshot to LMDB). */
  resources(): Resource[] {
    const out = new Array<Resource>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.resource(i);
    return out;
  }
}
