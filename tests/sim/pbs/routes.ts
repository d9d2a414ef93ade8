// PBS endpoints: version, node status/subscription/apt/tasks, datastores (list, status,
// groups, snapshots, RRD), datastore usage, the GC/verify/prune/sync job lists with their last
// run, login and permissions. PBS (Rust) differs from PVE in the wire format details handled
// here: booleans are true/false, task lists carry worker_type/worker_id, errors are plain text.
import type { Ctx, RouteTable } from '../router.ts';
import { issueTicket } from '../router.ts';
import { HttpError } from '../http-error.ts';
import { checkPassword } from '../auth.ts';
import type { Datastore, PbsState } from '../state.ts';
import { findNode } from '../state.ts';
import type { Task } from '../tasks.ts';
import { logPage, parseUpid, taskBase } from '../tasks.ts';
import { nodeRrd, nodeUsage, rrdTimes } from '../usage.ts';
import { noise } from '../rng.ts';
import { aptRefresh, repositories, subscription } from '../pve/nodes.ts';

const pbs = (ctx: Ctx) => ctx.remote as PbsState;
const now = (ctx: Ctx) => ctx.world.nodeNow(ctx.via);

function theNode(ctx: Ctx) {
  const n = findNode(ctx.remote, String(ctx.params.node));
  if (!n) throw new HttpError(400, `no such node '${String(ctx.params.node)}'`);
  return n;
}

function store(ctx: Ctx): Datastore {
  const ds = pbs(ctx).datastores.find((d) => d.name === ctx.params.store);
  if (!ds) throw new HttpError(400, `datastore '${String(ctx.params.store)}' does not exist`);
  // The datastore handlers check in their bodies (the schema says `user: all`); without any
  // privilege on or below the store PBS answers 403 rather than leak that it exists.
  if (!canSeeStore(ctx, ds.name)) throw new HttpError(403, 'permission check failed');
  return ds;
}

function canSeeStore(ctx: Ctx, name: string): boolean {
  return ctx.auth!.hasBelow(`/datastore/${name}`, ['Datastore.Audit', 'Datastore.Backup', 'Datastore.Read']);
}

function nodeStatus(ctx: Ctx): unknown {
  const n = theNode(ctx);
  const u = nodeUsage(n, now(ctx));
  return {
    memory: { total: n.memory, used: u.mem, free: n.memory - u.mem },
    swap: { total: n.swap, used: u.swapUsed, free: n.swap - u.swapUsed },
    root: { total: n.rootfs, used: u.rootUsed, avail: n.rootfs - u.rootUsed },
    uptime: u.uptime,
    loadavg: u.loadavg,
    kversion: `Linux ${n.kernel} #1 SMP PREEMPT_DYNAMIC PMX ${n.kernel} (2025-09-30T10:22Z)`,
    'current-kernel': { sysname: 'Linux', release: n.kernel, version: `#1 SMP PREEMPT_DYNAMIC PMX ${n.kernel} (2025-09-30T10:22Z)`, machine: 'x86_64' },
    cpu: u.cpu,
    wait: u.iowait,
    cpuinfo: { model: n.cpuModel, sockets: n.sockets, cpus: n.cpus },
    info: { fingerprint: ctx.world.servedFingerprint(n).toLowerCase() },
    'boot-info': { mode: 'efi', secureboot: false },
  };
}

function dsFigures(ds: Datastore, t: number) {
  const used = Math.min(ds.total, Math.round(ds.used * (0.99 + 0.02 * noise(ds.total % 10_000, Math.floor(t / 3_600_000)))));
  return { total: ds.total, used, avail: ds.total - used };
}

function gcStatus(ctx: Ctx, ds: Datastore): Record<string, unknown> {
  const chunks = Math.round(ds.used / (2.5 * 1024 * 1024));
  return {
    ...(ds.last.gc ? { upid: ds.last.gc } : {}),
    'index-file-count': ds.snapshots.length * 2,
    'index-data-bytes': ds.snapshots.reduce((a, s) => a + s.size, 0),
    'disk-bytes': ds.used,
    'disk-chunks': chunks,
    'removed-bytes': Math.round(ds.used * 0.01),
    'removed-chunks': Math.round(chunks * 0.01),
    'pending-bytes': Math.round(ds.used * 0.002),
    'pending-chunks': Math.round(chunks * 0.002),
    'removed-bad': 0,
    'still-bad': ds.verifyFailed ? 2 : 0,
  };
}

function lastRun(ctx: Ctx, upid: string | undefined): Record<string, unknown> {
  const t = upid ? ctx.world.tasks.byUpid.get(upid) : undefined;
  if (!t) return {};
  return { 'last-run-upid': t.upid, ...(t.status === 'stopped' ? { 'last-run-state': t.exitstatus, 'last-run-endtime': t.endtime } : {}) };
}

function nextRun(ctx: Ctx, hour: number): number {
  const s = Math.floor(now(ctx) / 1000);
  const today = s - (s % 86_400) + hour * 3600;
  return today > s ? today : today + 86_400;
}

function datastoreUsage(ctx: Ctx): unknown[] {
  const t = now(ctx);
  return pbs(ctx).datastores.filter((d) => canSeeStore(ctx, d.name)).map((d) => {
    // proxmox-backup DataStoreStatusListItem::empty: a store that cannot be opened has its name and the error, no figures.
    if (d.unavailable) return { store: d.name, error: d.unavailable, 'mount-status': 'nonremovable', 'backend-type': 'filesystem' };
    const f = dsFigures(d, t);
    const start = Math.floor(t / 1000 / 86_400) * 86_400 - 30 * 86_400;
    // Usage of the last 30 days, rising towards today: the basis of the "full in" estimate.
    const history = Array.from({ length: 30 }, (_, i) => Math.max(0, (f.used / f.total) * (0.8 + (0.2 * i) / 29)));
    const growthPerDay = (f.used * 0.2) / 29;
    return {
      store: d.name,
      total: f.total,
      used: f.used,
      avail: f.avail,
      history,
      'history-start': start,
      'history-delta': 86_400,
      'estimated-full-date': growthPerDay > 0 ? Math.floor(t / 1000 + (f.avail / growthPerDay) * 86_400) : 0,
      'gc-status': gcStatus(ctx, d),
      'mount-status': 'nonremovable',
      // No `error` for a failed GC: PBS sets it only when the datastore itself cannot be
      // read; a failed GC shows in the GC status (last-run-state) and in its task.
      'backend-type': 'filesystem',
    };
  });
}

/**
 * proxmox-backup list_groups/list_snapshots: Datastore.Audit lists everything; with only
 * Datastore.Backup a credential sees the groups it owns (a user also those of its tokens).
 */
function listable(ctx: Ctx, ds: Datastore, ns = ''): (owner: string) => boolean {
  const auth = ctx.auth!;
  const path = aclPath(ds, ns);
  if (auth.has(path, ['Datastore.Audit'])) return () => true;
  if (!auth.has(path, ['Datastore.Backup'])) throw new HttpError(403, 'permission check failed');
  const me = auth.authid;
  return (owner) => owner === me || (!me.includes('!') && owner.startsWith(`${me}!`));
}

/** pbs-api-types BackupNamespace::acl_path: `/datastore/{store}[/{ns…}]`. */
function aclPath(ds: Datastore, ns: string): string {
  return ns ? `/datastore/${ds.name}/${ns}` : `/datastore/${ds.name}`;
}

/**
 * proxmox-backup api2/admin/namespace.rs list_namespaces: `parent` and the namespaces below
 * it up to `max-depth` levels (the parent itself first, the root as ""), those on whose ACL
 * path the credential holds Audit, Modify or Backup; none such and no access to the parent
 * is a 403, as is a parent that does not exist. Namespaces exist where snapshots are (and
 * their parents) or where the scenario declares them.
 */
function namespaces(ctx: Ctx): unknown[] {
  const ds = store(ctx);
  const parent = (ctx.params.parent as string | undefined) ?? '';
  const maxDepth = (ctx.params['max-depth'] as number | undefined) ?? 7;
  const all = new Set<string>(['']);
  const add = (ns: string) => {
    const parts = ns ? ns.split('/') : [];
    for (let i = 1; i <= parts.length; i++) all.add(parts.slice(0, i).join('/'));
  };
  for (const ns of ds.namespaces) add(ns);
  for (const s of ds.snapshots) if (!all.has(s.ns)) add(s.ns);
  const auth = ctx.auth!;
  const ok = (ns: string) => auth.has(aclPath(ds, ns), ['Datastore.Audit', 'Datastore.Modify', 'Datastore.Backup'], true);
  if (!all.has(parent)) {
    if (!ok(parent)) throw new HttpError(403, 'permission check failed');
    throw new HttpError(400, `namespace '${parent}' does not exist`);
  }
  const depth = (ns: string) => (ns === '' ? 0 : ns.split('/').length);
  const below = [...all]
    .filter((ns) => (parent === '' || ns === parent || ns.startsWith(`${parent}/`)) && depth(ns) - depth(parent) <= maxDepth)
    .sort()
    .filter(ok);
  if (below.length === 0 && !ok(parent)) throw new HttpError(403, 'permission check failed');
  return below.map((ns) => ({ ns }));
}

function groups(ctx: Ctx): unknown[] {
  const ds = store(ctx);
  const ns = (ctx.params.ns as string | undefined) ?? '';
  const mayList = listable(ctx, ds, ns);
  const map = new Map<string, { type: string; id: string; last: number; count: number; files: string[]; owner: string; comment?: string }>();
  for (const s of ds.snapshots) {
    if (s.ns !== ns || !mayList(s.owner)) continue;
    const k = `${s.type}/${s.id}`;
    const g = map.get(k);
    if (!g) map.set(k, { type: s.type, id: s.id, last: s.time, count: 1, files: s.files.map((f) => f.filename), owner: s.owner, ...(s.comment ? { comment: s.comment } : {}) });
    else {
      g.count++;
      if (s.time > g.last) g.last = s.time;
    }
  }
  return [...map.values()].map((g) => ({ 'backup-type': g.type, 'backup-id': g.id, 'last-backup': g.last, 'backup-count': g.count, files: g.files, owner: g.owner, ...(g.comment ? { comment: g.comment } : {}) }));
}

function snapshots(ctx: Ctx): unknown[] {
  const ds = store(ctx);
  const p = ctx.params;
  const ns = (p.ns as string | undefined) ?? '';
  const mayList = listable(ctx, ds, ns);
  return ds.snapshots
    .filter((s) => s.ns === ns && mayList(s.owner) && (!p['backup-type'] || s.type === p['backup-type']) && (!p['backup-id'] || s.id === p['backup-id']))
    .map((s) => ({
      'backup-type': s.type,
      'backup-id': s.id,
      'backup-time': s.time,
      files: s.files,
      size: s.size,
      owner: s.owner,
      protected: s.protected,
      ...(s.comment ? { comment: s.comment } : {}),
      ...(s.verification ? { verification: s.verification } : {}),
    }));
}

function dsStatus(ctx: Ctx): unknown {
  const ds = store(ctx);
  if (ds.unavailable) throw new HttpError(400, ds.unavailable);
  const f = dsFigures(ds, now(ctx));
  const out: Record<string, unknown> = { ...f, 'backend-type': 'filesystem' };
  if (ctx.params.verbose) {
    const count = (type: string) => {
      const snaps = ds.snapshots.filter((s) => s.type === type);
      return { groups: new Set(snaps.map((s) => s.id)).size, snapshots: snaps.length };
    };
    out['gc-status'] = gcStatus(ctx, ds);
    out.counts = { vm: count('vm'), ct: count('ct'), host: count('host') };
  }
  return out;
}

/** proxmox-backup api2/node/rrd.rs: the `host` RRD (CPU, memory, swap, network, root disk). */
function hostRrd(ctx: Ctx): unknown[] {
  const n = theNode(ctx);
  return nodeRrd(n, String(ctx.params.timeframe), String(ctx.params.cf ?? 'AVERAGE'), now(ctx)).map((p) => {
    if (p.cpu === undefined) return { time: p.time };
    const io = noise(n.rootfs % 99_991, p.time!);
    return {
      time: p.time, cpu: p.cpu, iowait: p.iowait, loadavg: p.loadavg, memtotal: p.memtotal, memused: p.memused, swaptotal: p.swaptotal, swapused: p.swapused, netin: p.netin, netout: p.netout,
      total: p.roottotal, used: p.rootused, available: p.roottotal! - p.rootused!,
      read_ios: Math.round(io * 80), read_bytes: Math.round(io * 3e6), write_ios: Math.round(io * 120), write_bytes: Math.round(io * 5e6), io_ticks: Math.round(io * 20) / 1000,
    };
  });
}

function dsRrd(ctx: Ctx): unknown[] {
  const ds = store(ctx);
  return rrdTimes(String(ctx.params.timeframe), now(ctx)).map((t) => {
    const f = dsFigures(ds, t * 1000);
    const io = noise(ds.total % 99_991, t);
    return { time: t, total: f.total, used: f.used, available: f.avail, read_ios: Math.round(io * 200), read_bytes: Math.round(io * 8e6), write_ios: Math.round(io * 150), write_bytes: Math.round(io * 6e6), io_ticks: Math.round(io * 50) / 1000 };
  });
}

// ---- jobs ---------------------------------------------------------------------------------

function storeFilter(ctx: Ctx) {
  return (d: Datastore) => (!ctx.params.store || d.name === ctx.params.store) && canSeeStore(ctx, d.name);
}

/** One datastore's GC job: its statistics, schedule and how the last run ended. */
function gcJob(ctx: Ctx, d: Datastore): Record<string, unknown> {
  const last = lastRun(ctx, d.last.gc);
  const t = d.last.gc ? ctx.world.tasks.byUpid.get(d.last.gc) : undefined;
  const { 'last-run-upid': _u, ...lastState } = last;
  return { store: d.name, schedule: d.gcSchedule, ...gcStatus(ctx, d), ...lastState, ...(t?.endtime ? { duration: t.endtime - t.starttime } : {}), 'next-run': nextRun(ctx, 2) };
}

function gcJobs(ctx: Ctx): unknown[] {
  return pbs(ctx).datastores.filter(storeFilter(ctx)).map((d) => gcJob(ctx, d));
}

function verifyJobs(ctx: Ctx): unknown[] {
  return pbs(ctx).datastores.filter(storeFilter(ctx)).map((d) => ({ id: `v-${d.name}`, store: d.name, schedule: 'daily', 'ignore-verified': true, 'outdated-after': 30, ...lastRun(ctx, d.last.verify), 'next-run': nextRun(ctx, 4) }));
}

function pruneJobs(ctx: Ctx): unknown[] {
  return pbs(ctx).datastores.filter(storeFilter(ctx)).map((d) => ({ id: `p-${d.name}`, store: d.name, schedule: 'daily', 'keep-daily': d.keepDaily, 'keep-weekly': 4, 'keep-monthly': 3, ...lastRun(ctx, d.last.prune), 'next-run': nextRun(ctx, 1) }));
}

function syncJobs(ctx: Ctx): unknown[] {
  return pbs(ctx).syncJobs
    .filter((s) => (!ctx.params.store || s.store === ctx.params.store) && canSeeStore(ctx, s.store))
    .map((s) => ({ id: `s-${s.id}`, store: s.store, remote: s.remote, 'remote-store': s['remote-store'], schedule: s.schedule, 'remove-vanished': false, 'sync-direction': 'pull', ...lastRun(ctx, s.lastUpid), 'next-run': nextRun(ctx, 5) }));
}

// ---- tasks ------------------------------------------------------------------------------------

function taskEntry(t: Task): Record<string, unknown> {
  return {
    ...taskBase(t),
    worker_type: t.type,
    ...(t.id ? { worker_id: t.id } : {}),
    user: t.user,
    ...(t.status === 'stopped' ? { endtime: t.endtime, status: t.exitstatus } : {}),
  };
}

function visible(ctx: Ctx): Task[] {
  const audit = ctx.auth!.has('/system/tasks', ['Sys.Audit']);
  return ctx.world.tasks.list(ctx.remote).filter((t) => audit || t.user === ctx.auth!.authid);
}

function taskClass(t: Task): string {
  const s = t.exitstatus ?? '';
  return s === 'OK' ? 'ok' : s.startsWith('WARNINGS') ? 'warning' : s === 'unknown' ? 'unknown' : 'error';
}

function taskList(ctx: Ctx): unknown[] {
  theNode(ctx);
  const p = ctx.params;
  const statuses = Array.isArray(p.statusfilter) ? new Set(p.statusfilter as string[]) : null;
  const tasks = visible(ctx)
    .filter((t) => !p.running || t.status === 'running')
    .filter((t) => !p.errors || (t.status === 'stopped' && taskClass(t) === 'error'))
    .filter((t) => !p.typefilter || t.type.includes(String(p.typefilter)))
    .filter((t) => !p.userfilter || t.user.includes(String(p.userfilter)))
    .filter((t) => !p.store || t.id.split(':')[0] === p.store)
    .filter((t) => p.since === undefined || t.starttime >= Number(p.since))
    .filter((t) => p.until === undefined || t.starttime <= Number(p.until))
    .filter((t) => !statuses || (t.status === 'stopped' && statuses.has(taskClass(t))))
    .reverse();
  ctx.attrs.total = tasks.length;
  const start = Number(p.start ?? 0);
  return tasks.slice(start, start + Number(p.limit ?? 50)).map(taskEntry);
}

function findTask(ctx: Ctx): Task {
  const upid = String(ctx.params.upid);
  if (!parseUpid(upid, 'pbs')) throw new HttpError(400, `unable to parse UPID '${upid}'`);
  const t = ctx.world.tasks.byUpid.get(upid);
  if (!t || t.remote !== ctx.remote) throw new HttpError(400, `no such task`);
  if (t.user !== ctx.auth!.authid && !ctx.auth!.has('/system/tasks', ['Sys.Audit'])) throw new HttpError(403, 'permission check failed');
  return t;
}

function taskStatus(ctx: Ctx): unknown {
  const t = findTask(ctx);
  const [user, token] = t.user.split('!');
  return {
    ...taskBase(t),
    type: t.type,
    ...(t.id ? { id: t.id } : {}),
    user: user!,
    ...(token ? { tokenid: token } : {}),
    status: t.status,
    ...(t.status === 'stopped' ? { exitstatus: t.exitstatus, endtime: t.endtime } : {}),
  };
}

function taskLog(ctx: Ctx): unknown[] {
  const t = findTask(ctx);
  const { page, total } = logPage(ctx.world.tasks.log(t), Number(ctx.params.start ?? 0), Number(ctx.params.limit ?? 50));
  ctx.attrs.total = total;
  ctx.attrs.active = t.status === 'running';
  return page;
}

function login(ctx: Ctx): unknown {
  const r = pbs(ctx);
  const p = checkPassword(r, String(ctx.params.username), String(ctx.params.password ?? ''));
  if (!p) throw new HttpError(401, 'authentication failed - invalid credentials');
  return { username: p.userid, ...issueTicket(ctx, p.userid) };
}

function permissions(ctx: Ctx): unknown {
  const tree = ctx.auth!.permissionsTree(ctx.params.path as string | undefined);
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, Object.fromEntries(Object.keys(v).map((p) => [p, true]))]));
}

export const pbsRoutes: RouteTable = {
  'GET /version': (ctx) => ({ version: pbs(ctx).version, release: pbs(ctx).release, repoid: pbs(ctx).repoid }),
  'GET /nodes/{node}/status': nodeStatus,
  'GET /nodes/{node}/subscription': (ctx) => subscription(theNode(ctx), 'pbs'),
  'GET /nodes/{node}/apt/update': (ctx) => theNode(ctx).updates,
  'POST /nodes/{node}/apt/update': (ctx) => aptRefresh(ctx, theNode(ctx)),
  'GET /nodes/{node}/apt/repositories': (ctx) => repositories(theNode(ctx)),
  'GET /nodes/{node}/rrd': hostRrd,
  'GET /nodes/{node}/tasks': taskList,
  'GET /nodes/{node}/tasks/{upid}/status': taskStatus,
  'GET /nodes/{node}/tasks/{upid}/log': taskLog,
  'DELETE /nodes/{node}/tasks/{upid}': (ctx) => {
    ctx.world.tasks.stop(findTask(ctx));
    return null;
  },
  'GET /admin/datastore': (ctx) => pbs(ctx).datastores.filter((d) => canSeeStore(ctx, d.name)).map((d) => ({ store: d.name, ...(d.comment ? { comment: d.comment } : {}), 'mount-status': 'nonremovable', 'backend-type': 'filesystem' })),
  'GET /admin/datastore/{store}/status': dsStatus,
  'GET /admin/datastore/{store}/namespace': namespaces,
  'GET /admin/datastore/{store}/groups': groups,
  'GET /admin/datastore/{store}/snapshots': snapshots,
  'GET /admin/datastore/{store}/rrd': dsRrd,
  'GET /admin/datastore/{store}/gc': (ctx) => gcJob(ctx, store(ctx)),
  'GET /status/datastore-usage': datastoreUsage,
  'GET /admin/gc': gcJobs,
  'GET /admin/verify': verifyJobs,
  'GET /admin/prune': pruneJobs,
  'GET /admin/sync': syncJobs,
  'POST /access/ticket': login,
  'GET /access/permissions': permissions,
};
