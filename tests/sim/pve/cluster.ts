// PVE cluster-wide endpoints: version, cluster status and resources, cluster task list,
// backup jobs, pools, nodes list, login and permissions.
import type { Ctx, RouteTable } from '../router.ts';
import { issueTicket } from '../router.ts';
import { HttpError } from '../http-error.ts';
import { checkPassword } from '../auth.ts';
import { isOffline, jobCovers } from '../state.ts';
import { guestEntry, nodeEntry, nowMs, pve, storageEnabledOn, storageFigures } from './common.ts';
import { taskEntry, visibleTasks } from './tasks.ts';

function resources(ctx: Ctx): unknown[] {
  const r = pve(ctx);
  const type = ctx.params.type as string | undefined;
  const now = nowMs(ctx);
  const auth = ctx.auth!;
  const out: Record<string, unknown>[] = [];
  const pools: Record<string, Record<string, unknown>> = {};
  if (!type) {
    for (const [id] of [...r.pools].sort()) {
      if (!auth.has(`/pool/${id}`, ['Pool.Audit'])) continue;
      pools[id] = { id: `/pool/${id}`, pool: id, type: 'pool' };
      out.push(pools[id]!);
    }
  }
  if (!type || type === 'vm') {
    for (const g of [...r.guests.values()].sort((a, b) => a.vmid - b.vmid)) {
      if (!auth.canSeeGuest(g)) continue;
      const e = guestEntry(r, g, now, true);
      if (g.pool && auth.has(`/pool/${g.pool}`, ['Pool.Audit'])) e.pool = g.pool;
      if (g.ha) e.hastate = g.status === 'running' ? 'started' : 'stopped';
      out.push(e);
    }
  }
  if (!type || type === 'node') {
    for (const n of r.nodes) out.push(nodeEntry(n, now, auth.has(`/nodes/${n.name}`, ['Sys.Audit'])));
  }
  if (!type || type === 'storage') {
    for (const s of r.storages) {
      if (!auth.has(`/storage/${s.id}`, ['Datastore.Audit'])) continue;
      for (const n of r.nodes) {
        if (!storageEnabledOn(s, n.name)) continue;
        const e: Record<string, unknown> = { id: `storage/${n.name}/${s.id}`, storage: s.id, node: n.name, type: 'storage', plugintype: s.type, status: 'unknown', shared: s.shared ? 1 : 0, content: [...s.content].sort().join(',') };
        if (!isOffline(n)) {
          const f = storageFigures(r, s, n, now);
          Object.assign(e, { maxdisk: f.total, disk: f.used, status: 'available' });
        }
        out.push(e);
      }
    }
  }
  if (!type || type === 'sdn') {
    for (const n of r.nodes) {
      if (isOffline(n) || !auth.has('/sdn/zones/localnetwork', ['SDN.Audit'])) continue;
      out.push({ id: `sdn/${n.name}/localnetwork`, sdn: 'localnetwork', node: n.name, type: 'sdn', status: 'ok' });
    }
  }
  return out;
}

function clusterStatus(ctx: Ctx): unknown[] {
  const r = pve(ctx);
  const online = r.nodes.filter((n) => !isOffline(n)).length;
  const entries: Record<string, unknown>[] = [];
  if (r.cluster) entries.push({ type: 'cluster', id: 'cluster', name: r.cluster, nodes: r.nodes.length, quorate: online * 2 > r.nodes.length ? 1 : 0, version: r.nodes.length + 2 });
  for (const n of r.nodes) {
    entries.push({
      type: 'node',
      id: `node/${n.name}`,
      name: n.name,
      ip: n.host,
      nodeid: r.cluster ? n.nodeid : 0,
      online: isOffline(n) ? 0 : 1,
      local: n === ctx.via ? 1 : 0,
      level: n.subscription.status === 'active' ? (n.subscription.level ?? 'c') : '',
    });
  }
  return entries;
}

function nodesList(ctx: Ctx): unknown[] {
  const r = pve(ctx);
  const now = nowMs(ctx);
  return r.nodes.map((n) => {
    const e = nodeEntry(n, now, ctx.auth!.has(`/nodes/${n.name}`, ['Sys.Audit']));
    delete e.disk;
    delete e.maxdisk;
    delete e['cgroup-mode'];
    if (!isOffline(n)) e.ssl_fingerprint = n.cert.fingerprint;
    return e;
  });
}

function backupJobs(ctx: Ctx): unknown[] {
  const r = pve(ctx);
  const nowS = Math.floor(nowMs(ctx) / 1000);
  // An `all` job lists the guests marked noBackup as its exclusions, as the PVE GUI writes them.
  const excluded = [...r.guests.values()].filter((g) => g.noBackup).map((g) => g.vmid).sort((a, b) => a - b);
  return r.backupJobs.map((j) => {
    const [hh, mm] = /^(\d{1,2}):(\d{2})$/.exec(j.schedule)?.slice(1).map(Number) ?? [21, 0];
    const today = nowS - (nowS % 86_400) + hh! * 3600 + mm! * 60;
    return {
      id: j.id,
      type: 'vzdump',
      schedule: j.schedule,
      storage: j.storage,
      enabled: j.enabled ? 1 : 0,
      mode: j.mode,
      compress: 'zstd',
      'fleecing': 'enabled=0',
      'notes-template': '{{guestname}}',
      ...(j.all ? { all: 1 } : {}),
      ...(j.all && excluded.length ? { exclude: excluded.join(',') } : {}),
      ...(j.pool ? { pool: j.pool } : {}),
      ...(j.vmid ? { vmid: j.vmid.join(',') } : {}),
      ...(j.comment ? { comment: j.comment } : {}),
      ...(j.enabled ? { 'next-run': today > nowS ? today : today + 86_400 } : {}),
    };
  });
}

/**
 * pve-manager PVE::API2::BackupInfo get_guests_not_in_backup: every guest that no job
 * (enabled or not) includes, with its name. Sys.Audit on / is checked by the schema.
 */
function notBackedUp(ctx: Ctx): unknown[] {
  const r = pve(ctx);
  const out: Record<string, unknown>[] = [];
  for (const g of [...r.guests.values()].sort((a, b) => a.vmid - b.vmid)) {
    if (r.backupJobs.some((j) => jobCovers(j, g))) continue;
    out.push({ vmid: g.vmid, type: g.type, ...(g.name ? { name: g.name } : {}) });
  }
  return out;
}

function pools(ctx: Ctx): unknown[] {
  const r = pve(ctx);
  const only = ctx.params.poolid as string | undefined;
  if (only && !r.pools.has(only)) throw new HttpError(500, `pool '${only}' does not exist`);
  const out = [];
  for (const [id, p] of [...r.pools].sort()) {
    if (only && id !== only) continue;
    if (!ctx.auth!.has(`/pool/${id}`, ['Pool.Audit'])) continue;
    const e: Record<string, unknown> = { poolid: id, ...(p.comment ? { comment: p.comment } : {}) };
    if (only) {
      const type = ctx.params.type as string | undefined;
      const members: Record<string, unknown>[] = [];
      const now = nowMs(ctx);
      for (const g of r.guests.values()) if (g.pool === id && (!type || type === g.type)) members.push({ ...guestEntry(r, g, now, true), pool: id });
      e.members = members;
    }
    out.push(e);
  }
  return out;
}

function login(ctx: Ctx): unknown {
  const r = pve(ctx);
  const username = String(ctx.params.username);
  const p = checkPassword(r, username, String(ctx.params.password), ctx.params.realm as string | undefined);
  if (!p) throw new HttpError(401, 'authentication failure');
  return {
    username: p.userid,
    ...issueTicket(ctx, p.userid),
    ...(r.cluster ? { clustername: r.cluster } : {}),
  };
}

function permissions(ctx: Ctx): unknown {
  return ctx.auth!.permissionsTree(ctx.params.path as string | undefined);
}

function clusterTasks(ctx: Ctx): unknown[] {
  // pmxcfs keeps the recent tasks of every node; running ones first, then by start time.
  const tasks = visibleTasks(ctx, undefined).slice(-50 * pve(ctx).nodes.length);
  return tasks.reverse().map((t) => ({ ...taskEntry(t), saved: t.status === 'running' ? '0' : '1' }));
}

export const clusterRoutes: RouteTable = {
  'GET /version': (ctx) => ({ version: pve(ctx).version, release: pve(ctx).release, repoid: pve(ctx).repoid.slice(0, 8), console: 'html5' }),
  'GET /cluster/status': clusterStatus,
  'GET /cluster/resources': resources,
  'GET /cluster/tasks': clusterTasks,
  'GET /cluster/backup': backupJobs,
  'GET /cluster/backup-info/not-backed-up': notBackedUp,
  'GET /pools': pools,
  'GET /nodes': nodesList,
  'POST /access/ticket': login,
  'GET /access/permissions': permissions,
};

export { jobCovers };
