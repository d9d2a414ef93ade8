// The backups part of the slow refresh: for PVE the backup jobs and the guests no job
// includes, for PBS each datastore's backup groups in every namespace (PVE clusters sharing
// a datastore usually write to one namespace each) and the last runs of its GC, verify,
// prune and sync jobs. Every item is fetched on its own (Promise.allSettled): one that fails
// keeps its last good list, marked with the error, and never costs the others. Lists are
// capped (BACKUP_LIMITS) so the record stays bounded whatever a remote answers.
import { BACKUP_LIMITS } from '../../../shared/backups.ts';
import type { NotBackedUpGuest, PbsBackupGroup, PbsJobResult, PveBackupJob } from '../../../shared/backups.ts';
import type { RemoteType } from '../../../shared/remotes.ts';
import type { RemoteClient } from './client.ts';

export interface BackupItem<T> {
  /** ms since the epoch of the last successful fetch; absent: never fetched. */
  time?: number;
  list: T[];
  truncated?: boolean;
  /** The last fetch failed with this; `list` is from `time`. */
  error?: string;
}

export type PbsJobKind = PbsJobResult['kind'];
export const PBS_JOB_KINDS: readonly PbsJobKind[] = ['gc', 'verify', 'prune', 'sync'];

export interface BackupsRecord {
  /** ms since the epoch of the last backups refresh. */
  time: number;
  type: RemoteType;
  jobs?: BackupItem<PveBackupJob>;
  notBackedUp?: BackupItem<NotBackedUpGuest>;
  /** Per datastore. */
  groups?: Record<string, BackupItem<PbsBackupGroup>>;
  results?: Partial<Record<PbsJobKind, BackupItem<PbsJobResult>>>;
  /**
   * PBS: the same lists read through each other credential of the remote, as PBS filters
   * them by its ACL (namespaces, group owners, jobs): a caller acting through one sees these,
   * never the default credential's.
   */
  credentials?: Record<string, BackupsRecord>;
}

type Raw = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
/** PVE booleans arrive as 0/1 (sometimes as strings); PBS sends true/false. */
const bool = (v: unknown): boolean | undefined => (v === undefined || v === null ? undefined : v === true || v === 1 || v === '1');
/** A vmid as PVE allows it (pve-vmid: 100 … 999,999,999); anything else is dropped. */
const vmid = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 100 && v <= 999_999_999 ? v : undefined);
/** A count: a whole number (the answer's schema says so). */
const count = (v: unknown): number | undefined => (Number.isSafeInteger(v) ? (v as number) : undefined);
/** `100,101` or `100 101` → [100, 101]. */
function vmids(v: unknown): number[] | undefined {
  if (typeof v === 'number') return vmid(v) === undefined ? undefined : [v];
  if (typeof v !== 'string') return undefined;
  const out = v.split(/[\s,;]+/).filter((s) => /^[1-9]\d{2,8}$/.test(s)).map(Number);
  return out.length ? out : undefined;
}
function defined<T extends Raw>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

export function pveJob(j: Raw): PveBackupJob | null {
  const id = str(j.id);
  if (!id) return null;
  return defined({
    id,
    schedule: str(j.schedule) ?? (str(j.starttime) ? `${str(j.dow) ?? ''} ${str(j.starttime)}`.trim() : undefined),
    storage: str(j.storage),
    // PVE writes `enabled` only when a job is disabled (default 1).
    enabled: bool(j.enabled) ?? true,
    all: bool(j.all) || undefined,
    pool: str(j.pool),
    vmid: vmids(j.vmid),
    exclude: vmids(j.exclude),
    node: str(j.node),
    mode: str(j.mode),
    comment: str(j.comment),
    'next-run': num(j['next-run']),
  });
}

export function notBackedUpGuest(g: Raw): NotBackedUpGuest | null {
  const id = vmid(g.vmid);
  if (id === undefined || (g.type !== 'qemu' && g.type !== 'lxc')) return null;
  return defined({ vmid: id, type: g.type as 'qemu' | 'lxc', name: str(g.name) });
}

export function pbsGroup(store: string, g: Raw): PbsBackupGroup | null {
  const type = str(g['backup-type']);
  const id = str(g['backup-id']);
  if (!type || !id) return null;
  return defined({ store, ns: str(g.ns) || undefined, 'backup-type': type, 'backup-id': id, 'last-backup': num(g['last-backup']), 'backup-count': count(g['backup-count']), owner: str(g.owner), comment: str(g.comment) });
}

/** OK and warnings are fine; any other state the run ended with is a failure. */
export function runFailed(state: string | undefined): boolean {
  return state !== undefined && state !== 'OK' && !/^WARNINGS/.test(state);
}

export function pbsJobResult(kind: PbsJobKind, j: Raw): PbsJobResult | null {
  const store = str(j.store);
  // GC has no job id: there is one per datastore.
  const id = kind === 'gc' ? store : str(j.id);
  if (!store || !id) return null;
  const state = str(j['last-run-state']);
  return defined({
    kind, id, store,
    schedule: str(j.schedule),
    'last-run-state': state,
    'last-run-endtime': num(j['last-run-endtime']),
    'last-run-upid': str(j['last-run-upid']) ?? (kind === 'gc' ? str(j.upid) : undefined),
    'next-run': num(j['next-run']),
    failed: runFailed(state),
    'still-bad': kind === 'gc' ? num(j['still-bad']) : undefined,
    remote: str(j.remote),
    'remote-store': str(j['remote-store']),
    disabled: bool(j.disable) || undefined,
  });
}

function message(reason: unknown): string {
  return (reason instanceof Error ? reason.message : String(reason)).slice(0, 500);
}

/** A fetched list into an item: parsed, capped; a failure keeps the previous list with the error. */
function item<T>(result: PromiseSettledResult<unknown>, prev: BackupItem<T> | undefined, now: number, parse: (x: Raw) => T | null, cap: number): BackupItem<T> {
  if (result.status === 'rejected') return { ...(prev?.time !== undefined ? { time: prev.time } : {}), list: prev?.list ?? [], ...(prev?.truncated ? { truncated: true } : {}), error: message(result.reason) };
  if (!Array.isArray(result.value)) return { ...(prev?.time !== undefined ? { time: prev.time } : {}), list: prev?.list ?? [], error: 'the remote did not answer a list' };
  const list: T[] = [];
  for (const x of result.value as unknown[]) {
    if (!x || typeof x !== 'object') continue;
    const v = parse(x as Raw);
    if (v === null) continue;
    if (list.length === cap) return { time: now, list, truncated: true };
    list.push(v);
  }
  return { time: now, list };
}

export async function fetchPveBackups(client: RemoteClient, prev: BackupsRecord | undefined, now: () => number): Promise<BackupsRecord> {
  const [jobs, missing] = await Promise.allSettled([client.get('/cluster/backup'), client.get('/cluster/backup-info/not-backed-up')]);
  const t = now();
  return {
    time: t,
    type: 'pve',
    jobs: item(jobs, prev?.jobs, t, pveJob, BACKUP_LIMITS.jobs),
    notBackedUp: item(missing, prev?.notBackedUp, t, notBackedUpGuest, BACKUP_LIMITS.notBackedUp),
  };
}

/** A namespace's depth below the root: `` 0, `a` 1, `a/b` 2. */
const nsDepth = (ns: string) => (ns === '' ? 0 : ns.split('/').length);

/**
 * A datastore's groups in every namespace it lists (root first when listed, at most `namespaceDepth`
 * deep, as many as `take` grants), each group carrying its `ns`. Any request that fails
 * fails the datastore's item, so its last complete list stays rather than a partial one.
 */
async function storeGroups(client: RemoteClient, store: string, take: (wanted: number) => number): Promise<{ groups: Raw[]; cut: boolean }> {
  const base = `/admin/datastore/${encodeURIComponent(store)}`;
  const listed = await client.get(`${base}/namespace`, { 'max-depth': BACKUP_LIMITS.namespaceDepth });
  if (!Array.isArray(listed)) throw new Error('the remote did not answer a list of namespaces');
  // PBS lists the root ("") first when the credential may read it: a credential limited to
  // some namespaces is not sent to the others (PBS would refuse it, failing the datastore).
  const names = new Set<string>();
  for (const x of listed as unknown[]) {
    const ns = x && typeof x === 'object' ? str((x as Raw).ns) : undefined;
    if (ns !== undefined && nsDepth(ns) <= BACKUP_LIMITS.namespaceDepth) names.add(ns);
  }
  const some = [...names].slice(0, take(names.size));
  const lists = await Promise.all(some.map((ns) => client.get(`${base}/groups`, ns ? { ns } : undefined).then(
    (list) => {
      if (!Array.isArray(list)) throw new Error(`namespace ${ns || '(root)'}: the remote did not answer a list`);
      return ns ? (list as unknown[]).map((g) => (g && typeof g === 'object' ? { ...(g as Raw), ns } : g)) : list;
    },
    (e: unknown) => {
      throw new Error(`namespace ${ns || '(root)'}: ${message(e)}`);
    },
  )));
  return { groups: lists.flat() as Raw[], cut: names.size > some.length };
}

/** A non-default credential of a PBS remote: its client and the datastores it sees. */
export interface LimitedCredential {
  name: string;
  client: RemoteClient;
  stores: string[];
}

/**
 * `stores`: the datastores of the last resources refresh; `limited`: the remote's other
 * credentials, whose own lists are read too (into `credentials`).
 */
export async function fetchPbsBackups(client: RemoteClient, stores: string[], prev: BackupsRecord | undefined, now: () => number, limited: readonly LimitedCredential[] = []): Promise<BackupsRecord> {
  const out = await pbsLists(client, stores, prev, now);
  // One credential after the other: each has its own client (and concurrency limit), so
  // reading them at once would multiply what the remote is asked at a time.
  for (const c of limited) (out.credentials ??= {})[c.name] = await pbsLists(c.client, c.stores, prev?.credentials?.[c.name], now);
  return out;
}

async function pbsLists(client: RemoteClient, stores: string[], prev: BackupsRecord | undefined, now: () => number): Promise<BackupsRecord> {
  const some = stores.slice(0, BACKUP_LIMITS.stores);
  // The remote's namespace budget, granted as the listings come back; the first namespace a
  // datastore lists (the root, when the credential may read it) is always read.
  let nsRoom: number = BACKUP_LIMITS.namespaces;
  const take = (wanted: number) => {
    const n = Math.max(1, Math.min(wanted, BACKUP_LIMITS.namespacesPerStore, nsRoom));
    nsRoom -= n;
    return n;
  };
  const [groups, results] = await Promise.all([
    Promise.allSettled(some.map((s) => storeGroups(client, s, take))),
    // Sync jobs in both directions (PBS 4 lists pull jobs only by default).
    Promise.allSettled(PBS_JOB_KINDS.map((k) => client.get(`/admin/${k}`, k === 'sync' ? { 'sync-direction': 'all' } : undefined))),
  ]);
  const t = now();
  const out: BackupsRecord = { time: t, type: 'pbs', groups: {}, results: {} };
  let room: number = BACKUP_LIMITS.groups;
  some.forEach((store, i) => {
    const r = groups[i]!;
    const listed: PromiseSettledResult<unknown> = r.status === 'fulfilled' ? { status: 'fulfilled', value: r.value.groups } : r;
    const g = item(listed, prev?.groups?.[store], t, (x) => pbsGroup(store, x), Math.min(BACKUP_LIMITS.groupsPerStore, room));
    if (r.status === 'fulfilled' && r.value.cut) g.truncated = true;
    room -= g.list.length;
    out.groups![store] = g;
  });
  PBS_JOB_KINDS.forEach((kind, i) => {
    out.results![kind] = item(results[i]!, prev?.results?.[kind], t, (x) => pbsJobResult(kind, x), BACKUP_LIMITS.jobResults);
  });
  return out;
}
