// The last good snapshot of every remote, in memory for searches and in LMDB so that a
// restart serves it at once. Each snapshot keeps its time; the remote's state (ok,
// degraded, down with its error) is kept beside it and never replaces the data.
import type { RemoteType } from '../../../shared/remotes.ts';
import type { RemoteHealth, RemoteState, Resource } from '../../../shared/resources.ts';
import type { Collection, Store } from '../store/store.ts';
import { ResourceTable } from '../resources/table.ts';
import type { BackupsRecord } from './backups.ts';

/** A snapshot as LMDB holds it: the wire resources (what earlier versions wrote too). */
export interface Snapshot {
  /** ms since the epoch of the refresh that produced it. */
  time: number;
  resources: Resource[];
  /** Recent tasks of the remote (PVE /cluster/tasks, PBS node tasks), newest first. */
  tasks?: TaskSummary[];
}

/** The snapshot as held in memory: its resources as a table. */
export interface HeldSnapshot {
  time: number;
  table: ResourceTable;
  tasks?: TaskSummary[];
}

export interface TaskSummary {
  upid: string;
  node?: string;
  type?: string;
  id?: string;
  user?: string;
  starttime?: number;
  endtime?: number;
  status?: string;
}

export interface StateRecord {
  remote: string;
  type: RemoteType;
  status: RemoteHealth;
  lastSuccess?: number;
  lastAttempt?: number;
  error?: string;
  errorCode?: string;
  problems?: string[];
  refreshMs?: number;
}

interface CacheEntry {
  snapshot?: HeldSnapshot;
  state: StateRecord;
  /** For credentials other than the default: the resource ids they can see. */
  credentialIds: Map<string, Set<string>>;
  slow?: unknown;
  backups?: BackupsRecord;
  /** When the snapshot was last written to LMDB, and whether a newer one waits. */
  persistedAt?: number;
  dirty?: boolean;
}

/**
 * Snapshots go to LMDB at most this often per remote: encoding 50,000 guests every minute
 * would cost more CPU (and disk writes) than the refresh itself, and after a restart a
 * snapshot up to 5 minutes old — shown with its true age — is as good as a fresher one
 * until the first refresh, seconds later. States (small) are written every time.
 */
export const PERSIST_EVERY_MS = 5 * 60_000;

/**
 * The new task list, with the previous list's object for each task that has not changed
 * (most, between two polls), so a refresh does not put 50 new objects per remote into the
 * old generation; the previous list itself when nothing changed.
 */
function keepTasks(next: TaskSummary[], prev: TaskSummary[] | undefined): TaskSummary[] {
  if (!prev?.length) return next;
  const before = new Map(prev.map((t) => [t.upid, t]));
  let changed = next.length !== prev.length;
  const out = next.map((t, i) => {
    const p = before.get(t.upid);
    const same = p !== undefined && p.status === t.status && p.endtime === t.endtime && p.starttime === t.starttime;
    if (!same || p !== prev[i]) changed = true;
    return same ? p : t;
  });
  return changed ? out : prev;
}

type Stored = Snapshot | StateRecord | { ids: string[] } | BackupsRecord | unknown;

export class SnapshotCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly db: Collection<Stored>;

  constructor(store: Store, private readonly now: () => number = Date.now) {
    this.db = store.collection<Stored>('cache');
  }

  /** Reads what the last run left: the snapshots are served at once, with their age. */
  load(): void {
    for (const { value } of this.db.list('state/')) {
      const state = value as StateRecord;
      this.entry(state.remote, state.type).state = state;
    }
    for (const { key, value } of this.db.list('res/')) {
      const e = this.entries.get(key.slice(4));
      if (e) {
        this.applySnapshot(e, value as Snapshot);
        e.persistedAt = this.now();
      }
    }
    for (const { key, value } of this.db.list('cred/')) {
      const [, remote, credential] = key.split('/');
      const e = this.entries.get(remote!);
      if (e && credential) e.credentialIds.set(credential, new Set((value as { ids: string[] }).ids));
    }
    for (const { key, value } of this.db.list('slow/')) {
      const e = this.entries.get(key.slice(5));
      if (e) e.slow = value;
    }
    for (const { key, value } of this.db.list('backups/')) {
      const e = this.entries.get(key.slice(8));
      if (e) e.backups = value as BackupsRecord;
    }
  }

  private entry(remote: string, type: RemoteType): CacheEntry {
    let e = this.entries.get(remote);
    if (!e) {
      e = { state: { remote, type, status: 'unknown' }, credentialIds: new Map() };
      this.entries.set(remote, e);
    }
    e.state.type = type;
    return e;
  }

  /** A snapshot as LMDB holds it (the wire resources) into memory. */
  private applySnapshot(e: CacheEntry, s: Snapshot): void {
    e.snapshot = { time: s.time, table: new ResourceTable(e.state.remote, e.state.type, s.resources), ...(s.tasks ? { tasks: s.tasks } : {}) };
  }

  /** A refresh's result: its table was built over this remote's last one (`table(remote)`). */
  async setSnapshot(remote: string, type: RemoteType, snapshot: HeldSnapshot): Promise<void> {
    const e = this.entry(remote, type);
    e.snapshot = { time: snapshot.time, table: snapshot.table, ...(snapshot.tasks ? { tasks: keepTasks(snapshot.tasks, e.snapshot?.tasks) } : {}) };
    e.dirty = true;
    const now = this.now();
    if (e.persistedAt === undefined || now - e.persistedAt >= PERSIST_EVERY_MS) await this.persist(remote, e, now);
  }

  private async persist(remote: string, e: CacheEntry, now: number): Promise<void> {
    if (!e.snapshot || !e.dirty) return;
    e.dirty = false;
    e.persistedAt = now;
    const { time, table, tasks } = e.snapshot;
    await this.db.put(`res/${remote}`, { time, resources: table.resources(), ...(tasks ? { tasks } : {}) } satisfies Snapshot);
  }

  /** Writes every snapshot not yet in LMDB (on shutdown). */
  async flush(): Promise<void> {
    const now = this.now();
    for (const [remote, e] of this.entries) await this.persist(remote, e, now);
  }

  async setCredentialIds(remote: string, type: RemoteType, credential: string, ids: string[]): Promise<void> {
    this.entry(remote, type).credentialIds.set(credential, new Set(ids));
    await this.db.put(`cred/${remote}/${credential}`, { ids });
  }

  async setState(state: StateRecord): Promise<void> {
    this.entry(state.remote, state.type).state = state;
    await this.db.put(`state/${state.remote}`, state);
  }

  async setSlow(remote: string, type: RemoteType, data: unknown): Promise<void> {
    this.entry(remote, type).slow = data;
    await this.db.put(`slow/${remote}`, data);
  }

  /** The backups part of the slow refresh: small (capped lists), written every time. */
  async setBackups(remote: string, record: BackupsRecord): Promise<void> {
    this.entry(remote, record.type).backups = record;
    await this.db.put(`backups/${remote}`, record);
  }

  async remove(remote: string): Promise<void> {
    this.entries.delete(remote);
    for (const prefix of [`res/${remote}`, `state/${remote}`, `slow/${remote}`, `backups/${remote}`]) {
      if (this.db.get(prefix)) await this.db.delete(prefix);
    }
    for (const { key } of this.db.list(`cred/${remote}/`)) await this.db.delete(key);
  }

  remotes(): string[] {
    return [...this.entries.keys()];
  }

  snapshot(remote: string): HeldSnapshot | undefined {
    return this.entries.get(remote)?.snapshot;
  }

  /** The resources of the remote's last snapshot (an empty table before its first). */
  table(remote: string): ResourceTable {
    const e = this.entries.get(remote);
    return e?.snapshot?.table ?? ResourceTable.empty(remote, e?.state.type ?? 'pve');
  }

  credentialIds(remote: string, credential: string): Set<string> | undefined {
    return this.entries.get(remote)?.credentialIds.get(credential);
  }

  slow(remote: string): unknown {
    return this.entries.get(remote)?.slow;
  }

  backups(remote: string): BackupsRecord | undefined {
    return this.entries.get(remote)?.backups;
  }

  stateRecord(remote: string): StateRecord | undefined {
    return this.entries.get(remote)?.state;
  }

  /** The wire state, with the data's age computed now. */
  state(remote: string): RemoteState | undefined {
    const s = this.entries.get(remote)?.state;
    if (!s) return undefined;
    const now = this.now();
    return {
      remote: s.remote,
      type: s.type,
      status: s.status,
      ...(s.lastSuccess !== undefined ? { 'last-success': Math.floor(s.lastSuccess / 1000), age: Math.max(0, Math.round((now - s.lastSuccess) / 1000)) } : {}),
      ...(s.lastAttempt !== undefined ? { 'last-attempt': Math.floor(s.lastAttempt / 1000) } : {}),
      ...(s.error ? { error: s.error } : {}),
      ...(s.errorCode ? { 'error-code': s.errorCode } : {}),
      ...(s.problems?.length ? { problems: s.problems } : {}),
      ...(s.refreshMs !== undefined ? { 'refresh-ms': s.refreshMs } : {}),
    };
  }
}
