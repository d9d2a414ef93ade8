// The resources of one remote's last snapshot, held as columns: numbers in one Float64Array,
// each text field in an array of strings, the search keys (lower-cased) beside them. At
// 50,000 guests, the parsed answer objects this replaces cost ~40 MB live and, since every
// refresh replaced all of them, as much again of old-generation garbage per refresh (see
// docs/architecture.md, "Memory"). A refresh now keeps the previous table's strings wherever
// a value is unchanged, so what a refresh parses dies young and little reaches the old heap.
import type { RemoteType } from '../../../shared/remotes.ts';
import type { Resource, ResourceType } from '../../../shared/resources.ts';
import { bool, num, str } from './normalize.ts';
import type { ResourceItem } from './normalize.ts';

const TYPES: readonly ResourceType[] = ['qemu', 'lxc', 'node', 'storage', 'datastore'];
const NODE = 2;
const STORAGE = 3;
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

/** A number field's value in the table: NaN where absent or not a number. */
const numberOf = (v: unknown): number => (v === undefined ? NaN : typeof v === 'number' && Number.isFinite(v) ? v : (num(v) ?? NaN));
/** A text field's value: strings (cut at 1 KiB) and numbers as text, else absent. */
const textOf = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= 1024 ? v : str(v));

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
   * `resources` as the remote gave them (normalize.ts): each known field is checked as it is
   * copied (a value of the wrong type is absent), guests' `template` and storages' `shared`
   * default to false, and a node or storage without a name is named after it.
   * `prev`, the remote's previous table: a value equal to the one it held for the same id is
   * taken from it, so the string just parsed is left to die young.
   */
  constructor(remote: string, remoteType: RemoteType, resources: readonly ResourceItem[], prev?: ResourceTable) {
    const n = resources.length;
    this.length = n;
    this.remote = remote;
    this.remoteType = remoteType;
    this.remoteKey = remote.toLowerCase();
    this.ids = new Array<string>(n);
    this.types = new Uint8Array(n);
    this.flags = new Uint8Array(n);
    this.numbers = new Float64Array(n * W);
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
      const type = TYPES.indexOf(r.type);
      this.types[i] = type;
      this.ids[i] = p ? p.ids[j]! : r.id;
      this.idKey[i] = p ? p.idKey[j]! : r.id.toLowerCase();
      const nodeName = textOf(r.node);
      const name = (t.name[i] = keep(pt?.name, j, textOf(r.name) ?? (type === NODE ? nodeName : type === STORAGE ? textOf(r.storage) : undefined), shared));
      const node = (t.node[i] = keep(pt?.node, j, nodeName, shared));
      const status = (t.status[i] = keep(pt?.status, j, textOf(r.status), shared));
      const tags = (t.tags[i] = keep(pt?.tags, j, textOf(r.tags), shared));
      t.pool[i] = keep(pt?.pool, j, textOf(r.pool), shared);
      t.lock[i] = keep(pt?.lock, j, textOf(r.lock), shared);
      t.hastate[i] = keep(pt?.hastate, j, textOf(r.hastate), shared);
      t.storage[i] = keep(pt?.storage, j, textOf(r.storage), shared);
      t.plugintype[i] = keep(pt?.plugintype, j, textOf(r.plugintype), shared);
      t.content[i] = keep(pt?.content, j, textOf(r.content), shared);
      t.level[i] = keep(pt?.level, j, textOf(r.level), shared);
      // A search key follows its value: kept from the previous table when the value is.
      this.nameKey[i] = p && pt!.name[j] === name ? p.nameKey[j]! : (name ?? '').toLowerCase();
      this.nodeKey[i] = p && pt!.node[j] === node ? p.nodeKey[j]! : one((node ?? '').toLowerCase(), shared);
      this.statusKey[i] = p && pt!.status[j] === status ? p.statusKey[j]! : one((status ?? '').toLowerCase(), shared);
      this.tagsKey[i] = p && pt!.tags[j] === tags ? p.tagsKey[j]! : one(tagsKey(tags), shared);
      const b = i * W;
      nums[b] = numberOf(r.vmid);
      nums[b + 1] = numberOf(r.cpu);
      nums[b + 2] = numberOf(r.maxcpu);
      nums[b + 3] = numberOf(r.mem);
      nums[b + 4] = numberOf(r.maxmem);
      nums[b + 5] = numberOf(r.disk);
      nums[b + 6] = numberOf(r.maxdisk);
      nums[b + 7] = numberOf(r.uptime);
      nums[b + 8] = numberOf(r.netin);
      nums[b + 9] = numberOf(r.netout);
      nums[b + 10] = numberOf(r['estimated-full-date']);
      nums[b + 11] = numberOf(r.diskread);
      nums[b + 12] = numberOf(r.diskwrite);
      const template = type <= 1 ? (bool(r.template) ?? false) : bool(r.template);
      const isShared = type === STORAGE ? (bool(r.shared) ?? false) : bool(r.shared);
      let flags = 0;
      if (template !== undefined) flags |= TEMPLATE_SET | (template ? TEMPLATE : 0);
      if (isShared !== undefined) flags |= SHARED_SET | (isShared ? SHARED : 0);
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
