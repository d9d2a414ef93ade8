// /resources/backups: the backups part of each remote's slow refresh, cut to what the caller
// may see exactly as /resources/list cuts resources (visibleRemotes). With the remote's
// default credential everything; through a limited credential or a saved view only the
// guests and datastores that credential or view shows: the not-backed-up guests among them,
// the backup jobs that include one of them (their vmid and exclude lists cut to them), and
// on PBS the groups and job results of the visible datastores (through a limited credential,
// those PBS lists to that credential: its namespaces, its groups, its jobs; through a view
// alone, the job results only). A remote with nothing
// visible is left out. `summaryOnly` (the dashboard's tile) answers the counts without the
// lists, and skips the PBS groups, which can be tens of thousands per remote.
import type { BackupItemError, BackupRemote, BackupsResult, PveBackupJob } from '../../../shared/backups.ts';
import type { RemoteType } from '../../../shared/remotes.ts';
import type { Resource } from '../../../shared/resources.ts';
import type { AppDeps } from '../deps.ts';
import type { AuthInfo } from '../framework/types.ts';
import type { BackupItem, BackupsRecord } from '../remotes/backups.ts';
import { PBS_JOB_KINDS } from '../remotes/backups.ts';
import { visibleRemotes, visibleRows } from './resource-query.ts';

const secs = (ms: number) => Math.floor(ms / 1000);

/** Whether a job includes the guest, as vzdump's get_included_guests decides. */
export function jobIncludes(job: PveBackupJob, guest: Resource): boolean {
  if (guest.vmid === undefined) return false;
  if (job.node && guest.node !== job.node) return false;
  if (job.all) return !job.exclude?.includes(guest.vmid);
  if (job.pool) return guest.pool === job.pool;
  return job.vmid?.includes(guest.vmid) ?? false;
}

/** A job as a caller who sees only `guests` may see it: vmid and exclude lists cut to them. */
function cutJob(job: PveBackupJob, guests: Resource[]): PveBackupJob | null {
  if (!guests.some((g) => jobIncludes(job, g))) return null;
  const mine = new Set(guests.map((g) => g.vmid));
  const { vmid, exclude, ...rest } = job;
  const v = vmid?.filter((x) => mine.has(x));
  const e = exclude?.filter((x) => mine.has(x));
  return { ...rest, ...(v ? { vmid: v } : {}), ...(e?.length ? { exclude: e } : {}) };
}

export interface BackupsQuery {
  remote?: string;
  /** The counts only. */
  summary?: boolean;
  /** A page of the remotes listed; the summary counts them all. */
  start?: number;
  limit?: number;
}

export function listBackups(deps: AppDeps, auth: AuthInfo, now: number, q: BackupsQuery = {}): BackupsResult {
  const remotes: BackupRemote[] = [];
  const summary = { remotes: 0, refreshed: 0, 'not-backed-up': 0, 'failed-jobs': 0, errors: 0 };
  const start = q.start ?? 0;
  const end = start + (q.limit ?? Infinity);
  for (const v of visibleRemotes(deps, auth)) {
    if (q.remote && v.remote !== q.remote) continue;
    // Outside the page (or with summary=1) a remote is counted, its groups not copied.
    const summaryOnly = q.summary === true || summary.remotes < start || summary.remotes >= end;
    const rec = recordFor(deps, auth, v.remote, v.state.type);
    const seen = v.allow ? Array.from(visibleRows(v), (i) => v.table.resource(i)) : null;
    if (seen && seen.length === 0) continue;
    const errors: BackupItemError[] = [];
    const truncated: string[] = [];
    const note = (name: string, it: BackupItem<unknown> | undefined) => {
      if (it?.error) errors.push({ item: name, error: it.error, ...(it.time !== undefined ? { 'last-success': secs(it.time) } : {}) });
      if (it?.truncated) truncated.push(name);
    };
    const out: BackupRemote = { remote: v.remote, type: v.state.type, state: v.state, ...(rec ? { time: secs(rec.time), age: Math.max(0, Math.round((now - rec.time) / 1000)) } : {}), errors };
    if (v.state.type === 'pve') pveItems(out, rec, seen, note);
    // Through a view alone (no role on the remote) a PBS datastore shows its job results but
    // not its groups: they name other owners' guests, and the snapshot routes, which need a
    // role on the remote, refuse that caller too.
    else pbsItems(out, rec, seen, note, summaryOnly, deps.acl.remoteAccess(auth, v.remote) !== null);
    if (truncated.length) out.truncated = truncated;
    summary.remotes++;
    if (rec) summary.refreshed++;
    summary['not-backed-up'] += out['not-backed-up']?.length ?? 0;
    summary['failed-jobs'] += out['job-results']?.filter((j) => j.failed).length ?? 0;
    summary.errors += errors.length;
    if (!summaryOnly) remotes.push(out);
  }
  return { summary, remotes };
}

/**
 * The record a caller may read: on PBS, through a credential other than the default, the
 * lists read through that credential (absent until its first backups refresh).
 */
function recordFor(deps: AppDeps, auth: AuthInfo, remote: string, type: RemoteType): BackupsRecord | undefined {
  const rec = deps.remotes.cache.backups(remote);
  if (type !== 'pbs') return rec;
  const access = deps.acl.remoteAccess(auth, remote);
  const first = deps.remotes.repo.find(remote)?.value.credentials[0]?.name;
  if (!access || access.credential === null || access.credential === first) return rec;
  return rec?.credentials?.[access.credential];
}

type Note = (name: string, it: BackupItem<unknown> | undefined) => void;

function pveItems(out: BackupRemote, rec: BackupsRecord | undefined, seen: Resource[] | null, note: Note): void {
  note('jobs', rec?.jobs);
  note('not-backed-up', rec?.notBackedUp);
  const jobs = rec?.jobs?.list ?? [];
  const missing = rec?.notBackedUp?.list ?? [];
  if (!seen) {
    out.jobs = jobs;
    out['not-backed-up'] = missing;
    return;
  }
  const guests = seen.filter((r) => r.type === 'qemu' || r.type === 'lxc');
  const ids = new Set(guests.map((r) => r.id));
  out.jobs = jobs.map((j) => cutJob(j, guests)).filter((j): j is PveBackupJob => j !== null);
  out['not-backed-up'] = missing.filter((g) => ids.has(`${g.type}/${g.vmid}`));
}

function pbsItems(out: BackupRemote, rec: BackupsRecord | undefined, seen: Resource[] | null, note: Note, summaryOnly: boolean, groupsAllowed: boolean): void {
  const stores = seen ? new Set(seen.filter((r) => r.type === 'datastore').map((r) => r.name)) : null;
  const mayStore = (s: string) => !stores || stores.has(s);
  out.groups = [];
  for (const [store, it] of Object.entries(rec?.groups ?? {})) {
    if (!groupsAllowed || !mayStore(store)) continue;
    note(`groups/${store}`, it);
    if (!summaryOnly) out.groups.push(...it.list);
  }
  out['job-results'] = [];
  for (const kind of PBS_JOB_KINDS) {
    const it = rec?.results?.[kind];
    note(kind, it);
    out['job-results'].push(...(it?.list ?? []).filter((j) => mayStore(j.store)));
  }
}
