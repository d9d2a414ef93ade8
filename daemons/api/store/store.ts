// The LMDB store: one environment, a named database per entity, versioned entries for
// optimistic concurrency (a stale version is a 409 `conflict`), a schema version and
// ordered migrations run at open, and an explicit close.
import { mkdirSync } from 'node:fs';
import { open } from 'lmdb';
import type { Database, RootDatabase } from 'lmdb';
import { ApiError } from '../../../shared/errors.ts';

export const DB_NAMES = [
  'meta', 'users', 'tokens', 'tfa', 'acl', 'remotes', 'groups', 'views', 'tasks',
  'audit', 'cache', 'alerts', 'settings', 'sessions', 'acme', 'token-usage', 'host-tasks',
] as const;
export type DbName = (typeof DB_NAMES)[number];

/** Databases with their own encodings, outside the versioned collections (metrics archives). */
export const RAW_DB_NAMES = ['metrics-1m', 'metrics-30m', 'metrics-12h', 'metrics-objects'] as const;
export type RawDbName = (typeof RAW_DB_NAMES)[number];

export interface Entry<T> {
  key: string;
  value: T;
  version: number;
}

/** The wire form of a version: what clients send back as `digest`. */
export function versionDigest(version: number): string {
  return version.toString(16);
}

export function digestVersion(digest: string | undefined): number | undefined {
  if (digest === undefined) return undefined;
  const v = Number.parseInt(digest, 16);
  return Number.isSafeInteger(v) ? v : -1;
}

/** A typed view on one named database. */
export class Collection<T> {
  constructor(
    readonly name: DbName,
    readonly db: Database<T, string>,
  ) {}

  get(key: string): Entry<T> | undefined {
    const e = this.db.getEntry(key);
    return e ? { key, value: e.value, version: e.version ?? 0 } : undefined;
  }

  /** Entries in key order; `prefix` limits to keys starting with it. */
  list(prefix = '', limit?: number): Entry<T>[] {
    const out: Entry<T>[] = [];
    const range = this.db.getRange(prefix ? { start: prefix, versions: true } : { versions: true });
    for (const { key, value, version } of range) {
      if (prefix && !key.startsWith(prefix)) break;
      out.push({ key, value, version: version ?? 0 });
      if (limit !== undefined && out.length >= limit) break;
    }
    return out;
  }

  /** Adds a new entry at version 1; `conflict` if the key exists. */
  async create(key: string, value: T): Promise<number> {
    const ok = await this.db.ifNoExists(key, () => {
      void this.db.put(key, value, 1);
    });
    if (!ok) throw new ApiError('conflict', `${this.name} entry '${key}' already exists`);
    return 1;
  }

  /**
   * Replaces an entry. With `expected`, only if it is still at that version (else `conflict`);
   * without, only if it exists. Returns the new version.
   */
  async update(key: string, value: T, expected?: number): Promise<number> {
    const current = this.get(key);
    if (!current) throw new ApiError('not_found', `${this.name} entry '${key}' does not exist`);
    const base = expected ?? current.version;
    if (base !== current.version) throw this.stale(key);
    const ok = await this.db.put(key, value, base + 1, base);
    if (!ok) throw this.stale(key);
    return base + 1;
  }

  /** Writes without a version check (caches, counters): the last writer wins. */
  async put(key: string, value: T): Promise<void> {
    const current = this.get(key);
    await this.db.put(key, value, (current?.version ?? 0) + 1);
  }

  async delete(key: string, expected?: number): Promise<void> {
    const current = this.get(key);
    if (!current) throw new ApiError('not_found', `${this.name} entry '${key}' does not exist`);
    if (expected !== undefined && expected !== current.version) throw this.stale(key);
    const ok = await this.db.remove(key, current.version);
    if (!ok) throw this.stale(key);
  }

  private stale(key: string): ApiError {
    return new ApiError('conflict', `${this.name} entry '${key}' was changed by someone else; reload and try again`);
  }
}

export interface Migration {
  /** The schema version this migration brings the store to (1, 2, 3 …, in order). */
  version: number;
  name: string;
  up(store: Store): Promise<void>;
}

export class Store {
  private readonly collections = new Map<DbName, Collection<unknown>>();
  private closed = false;

  private constructor(readonly root: RootDatabase) {}

  static async open(dir: string, migrations: readonly Migration[] = MIGRATIONS): Promise<Store> {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // The map is only an upper bound of the file (it grows as pages are used); metrics
    // archives need tens of GB at 50,000 guests (docs/architecture.md, Metrics).
    const root = open({ path: `${dir}/steward.lmdb`, maxDbs: 32, compression: false, mapSize: 256 * 1024 ** 3 });
    const store = new Store(root);
    try {
      await store.migrate(migrations);
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  collection<T>(name: DbName): Collection<T> {
    if (this.closed) throw new Error('store is closed');
    let c = this.collections.get(name);
    if (!c) {
      c = new Collection<unknown>(name, this.root.openDB<unknown, string>({ name, useVersions: true }));
      this.collections.set(name, c);
    }
    return c as Collection<T>;
  }

  /** A database of raw binary records (`binary`) or plain values (`msgpack`), without versions. */
  rawDb<V, K extends string | Buffer>(name: RawDbName, encoding: 'binary' | 'msgpack', keyEncoding?: 'binary'): Database<V, K> {
    if (this.closed) throw new Error('store is closed');
    return this.root.openDB<V, K>({ name, encoding, ...(keyEncoding ? { keyEncoding } : {}) });
  }

  get schemaVersion(): number {
    return (this.collection<number>('meta').get('schemaVersion')?.value) ?? 0;
  }

  private async migrate(migrations: readonly Migration[]): Promise<void> {
    const sorted = [...migrations].sort((a, b) => a.version - b.version);
    sorted.forEach((m, i) => {
      if (m.version !== i + 1) throw new Error(`migrations must be numbered 1..n in order; found ${m.version} at ${i + 1}`);
    });
    const latest = sorted.length;
    const current = this.schemaVersion;
    if (current > latest) {
      throw new Error(`the database has schema version ${current}, newer than this Steward knows (${latest}); refusing to start`);
    }
    for (const m of sorted.slice(current)) {
      await m.up(this);
      await this.collection<number>('meta').put('schemaVersion', m.version);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.root.close();
  }
}

/** The project's migrations, in order. Each says what it changes and why. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial layout',
    async up(store) {
      await store.collection<string>('meta').put('createdAt', new Date().toISOString());
    },
  },
  {
    version: 2,
    name: 'metrics history in round-robin archives',
    // The `metrics` database held the remotes' last rrddata answers; Steward now keeps its
    // own archives (daemons/api/metrics), so those answers are dropped.
    async up(store) {
      await store.root.openDB({ name: 'metrics' }).drop();
    },
  },
  {
    version: 3,
    name: 'metrics archives in one database each',
    // The archives moved out of the shared `metrics-slots` database (fuller B-tree pages);
    // the few hours of history kept in the old layout are not carried over.
    async up(store) {
      await store.root.openDB({ name: 'metrics-slots' }).drop();
      await store.root.openDB({ name: 'metrics-objects' }).drop();
    },
  },
];
