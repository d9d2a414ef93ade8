// PVE task endpoints: per-node list with its filters, status, log (start/limit, with
// `total`), and stop. A user sees other users' tasks only with Sys.Audit on the node.
import type { Ctx, RouteTable } from '../router.ts';
import { HttpError, fail } from '../http-error.ts';
import type { Task } from '../tasks.ts';
import { logPage, parseUpid, taskBase } from '../tasks.ts';
import { node } from './common.ts';

export function taskEntry(t: Task): Record<string, unknown> {
  return {
    ...taskBase(t),
    type: t.type,
    id: t.id,
    user: t.user,
    ...(t.status === 'stopped' ? { endtime: t.endtime, status: t.exitstatus } : {}),
  };
}

/** Tasks of a node (or all nodes) the caller may see, oldest first. */
export function visibleTasks(ctx: Ctx, nodeName: string | undefined): Task[] {
  const auth = ctx.auth!;
  const all = ctx.world.tasks.list(ctx.remote);
  const audit = new Map<string, boolean>();
  const may = (n: string) => {
    if (!audit.has(n)) audit.set(n, auth.has(`/nodes/${n}`, ['Sys.Audit']));
    return audit.get(n)!;
  };
  return all.filter((t) => (!nodeName || t.node === nodeName) && (may(t.node) || t.user === auth.authid));
}

function statusClass(t: Task): string {
  if (t.status === 'running') return 'running';
  const s = t.exitstatus ?? '';
  return s === 'OK' ? 'ok' : s.startsWith('WARNINGS') ? 'warning' : s === 'unknown' ? 'unknown' : 'error';
}

function list(ctx: Ctx): unknown[] {
  const n = node(ctx);
  const p = ctx.params;
  const source = (p.source as string | undefined) ?? 'archive';
  const statuses = typeof p.statusfilter === 'string' ? new Set(p.statusfilter.split(/[,;\s]+/).filter(Boolean)) : null;
  const tasks = visibleTasks(ctx, n.name)
    .filter((t) => (source === 'all' ? true : source === 'active' ? t.status === 'running' : t.status === 'stopped'))
    .filter((t) => p.vmid === undefined || t.id === String(p.vmid))
    .filter((t) => !p.typefilter || t.type === p.typefilter)
    .filter((t) => !p.userfilter || t.user.includes(String(p.userfilter)))
    .filter((t) => !p.errors || statusClass(t) === 'error')
    .filter((t) => p.since === undefined || t.starttime >= Number(p.since))
    .filter((t) => p.until === undefined || t.starttime <= Number(p.until))
    .filter((t) => !statuses || statuses.has(statusClass(t)))
    .reverse();
  ctx.attrs.total = tasks.length;
  const start = Number(p.start ?? 0);
  const limit = Number(p.limit ?? 50);
  return tasks.slice(start, start + limit).map(taskEntry);
}

function find(ctx: Ctx): Task {
  const upid = String(ctx.params.upid);
  const parsed = parseUpid(upid, 'pve');
  if (!parsed) throw fail(`unable to parse worker upid '${upid}'`);
  const n = node(ctx);
  const t = ctx.world.tasks.byUpid.get(upid);
  if (!t || t.remote !== ctx.remote || parsed.node !== n.name) throw fail('no such task');
  const auth = ctx.auth!;
  if (t.user !== auth.authid && !auth.has(`/nodes/${n.name}`, ['Sys.Audit'])) throw new HttpError(403, `Permission check failed (/nodes/${n.name}, Sys.Audit)`);
  return t;
}

function status(ctx: Ctx): unknown {
  const t = find(ctx);
  const { endtime: _e, status: _s, ...base } = taskEntry(t);
  return { ...base, status: t.status, ...(t.status === 'stopped' ? { exitstatus: t.exitstatus } : {}) };
}

function log(ctx: Ctx): unknown {
  const t = find(ctx);
  const start = Number(ctx.params.start ?? 0);
  const { page: out, total } = logPage(ctx.world.tasks.log(t), start, Number(ctx.params.limit ?? 50));
  ctx.attrs.total = total;
  // pve-common's dump_logfile answers one "no content" line past the end.
  return out.length || start > 0 ? out : [{ n: 0, t: 'no content' }];
}

function stop(ctx: Ctx): null {
  const t = find(ctx);
  if (t.user !== ctx.auth!.authid && !ctx.auth!.has(`/nodes/${t.node}`, ['Sys.Modify'])) throw new HttpError(403, `Permission check failed (/nodes/${t.node}, Sys.Modify)`);
  ctx.world.tasks.stop(t);
  return null;
}

export const taskRoutes: RouteTable = {
  'GET /nodes/{node}/tasks': list,
  'GET /nodes/{node}/tasks/{upid}/status': status,
  'GET /nodes/{node}/tasks/{upid}/log': log,
  'DELETE /nodes/{node}/tasks/{upid}': stop,
};
