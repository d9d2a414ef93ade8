// /pbs/remotes/{remote}/…: Proxmox Backup Server detail — node status and tasks, datastores
// with usage and estimated full date, their namespaces, snapshots per backup group in a
// namespace (which guest, when, size, verified), metrics, the last results of GC, verify, prune and sync jobs, and its tasks
// (status, log, stop — task-routes.ts): what a backup-coverage view needs. Proxied with a
// short cache (served stale while the host is down).
import { z } from 'zod';
import { ApiError } from '../../../shared/errors.ts';
import { intParam, safeId } from '../../../shared/formats.ts';
import type { AppDeps } from '../deps.ts';
import { defineRoute } from '../framework/route.ts';
import type { AuthInfo } from '../framework/types.ts';
import { metricsHistory } from '../metrics/history.ts';
import { proxiedGet } from '../remotes/proxied-get.ts';
import { RrdPoints, RrdQuery } from './pve.ts';
import { taskRoutes } from './task-routes.ts';

const store = z.string().min(1).max(32).regex(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/, 'must be a datastore name');
const StoreParams = z.strictObject({ remote: safeId, store });
/**
 * A PBS namespace (pbs-api-types BACKUP_NAMESPACE_SCHEMA): up to 7 names separated by `/`,
 * at most 256 characters; `` is the root. PBS would refuse anything else too, but saying why
 * here beats passing on its 400.
 */
const NS_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const MAX_NS_DEPTH = 7;
const namespace = z.string().max(256).refine((ns) => ns === '' || ns.split('/').every((part) => NS_NAME.test(part)), {
  message: "must be a PBS namespace: names of letters, digits, '_', '.' and '-' (not starting with '.' or '-') separated by '/'",
  abort: true,
}).refine((ns) => ns === '' || ns.split('/').length <= MAX_NS_DEPTH, { message: `a PBS namespace is at most ${MAX_NS_DEPTH} levels deep` });
/** Namespaces listed at most (a datastore may hold more; the rest are not shown). */
const MAX_NAMESPACES = 10_000;
const NodeParams = z.strictObject({ remote: safeId, node: z.string().min(1).max(63).regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/) });
const Obj = z.record(z.string(), z.unknown());

function pbs(deps: AppDeps, remote: string): void {
  if (deps.remotes.repo.get(remote).value.type !== 'pbs') throw new ApiError('validation', `remote '${remote}' is not a PBS remote`);
}

const get = (deps: AppDeps, auth: AuthInfo, remote: string, path: string, ttlMs: number, query?: Record<string, string | number | undefined>) => {
  pbs(deps, remote);
  return proxiedGet(deps, auth, { remote, path, ttlMs, ...(query ? { query } : {}) });
};

const Snapshot = z.object({
  'backup-type': z.string(), 'backup-id': z.string(), 'backup-time': z.number(),
  size: z.number().optional(), owner: z.string().optional(), comment: z.string().optional(),
  verification: z.object({ state: z.string(), upid: z.string().optional() }).optional(), protected: z.boolean().optional(),
});
const Namespace = z.object({ ns: z.string(), comment: z.string().optional() });
const Job = z.object({
  kind: z.enum(['gc', 'verify', 'prune', 'sync']), id: z.string(), store: z.string().optional(),
  'last-run-state': z.string().optional(), 'last-run-endtime': z.number().optional(), 'next-run': z.number().optional(), schedule: z.string().optional(),
});

export const routes = [
  defineRoute({
    method: 'GET',
    path: '/pbs/remotes/{remote}/nodes/{node}/status',
    summary: "The PBS host's status (cpu, memory, root disk, uptime)",
    tags: ['pbs'],
    params: NodeParams,
    output: Obj,
    permission: { path: '/remotes/{remote}', privilege: 'audit' },
    audit: false,
    handler: async ({ deps, auth, params }) => ((await get(deps, auth, params.remote, '/nodes/localhost/status', 10_000)) ?? {}) as Record<string, unknown>,
  }),
  defineRoute({
    method: 'GET',
    path: '/pbs/remotes/{remote}/nodes/{node}/tasks',
    summary: "The PBS host's recent tasks",
    tags: ['pbs', 'tasks'],
    params: NodeParams,
    query: z.strictObject({ start: intParam(0, 1_000_000).default(0), limit: intParam(1, 1000).default(50) }),
    output: z.array(Obj).max(1000),
    permission: { path: '/remotes/{remote}', privilege: 'audit' },
    audit: false,
    handler: async ({ deps, auth, params, query }) => {
      const list = await get(deps, auth, params.remote, '/nodes/localhost/tasks', 5000, { start: query.start, limit: query.limit });
      return (Array.isArray(list) ? list : []) as Record<string, unknown>[];
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/pbs/remotes/{remote}/nodes/{node}/apt',
    summary: "The PBS host's pending updates, from the poller's slow refresh",
    tags: ['pbs'],
    params: NodeParams,
    output: z.object({ updates: z.array(z.unknown()).max(5000) }),
    permission: { path: '/remotes/{remote}', privilege: 'audit' },
    audit: false,
    handler: ({ deps, params }) => {
      pbs(deps, params.remote);
      const slow = deps.remotes.cache.slow(params.remote) as { nodes?: Record<string, { updates?: unknown[] }> } | undefined;
      return { updates: slow?.nodes?.localhost?.updates ?? [] };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/pbs/remotes/{remote}/datastore/{store}/status',
    summary: 'A datastore\'s usage (total, used, avail) and its estimated full date, from the last refresh',
    tags: ['pbs'],
    params: StoreParams,
    output: z.object({ store: z.string(), total: z.number().optional(), used: z.number().optional(), avail: z.number().optional(), 'estimated-full-date': z.number().optional(), status: z.string().optional(), age: z.number().optional() }),
    permission: { path: '/remotes/{remote}', privilege: 'audit' },
    audit: false,
    handler: ({ deps, params }) => {
      pbs(deps, params.remote);
      const t = deps.remotes.cache.table(params.remote);
      const row = t.indexOf(`datastore/${params.store}`);
      const r = row >= 0 ? t.resource(row) : undefined;
      if (!r) throw new ApiError('not_found', `no datastore '${params.store}' on remote '${params.remote}' in the last refresh`);
      return { store: params.store, total: r.maxdisk, used: r.disk, avail: r.maxdisk !== undefined && r.disk !== undefined ? r.maxdisk - r.disk : undefined, 'estimated-full-date': r['estimated-full-date'], status: r.status, age: deps.remotes.cache.state(params.remote)?.age };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/pbs/remotes/{remote}/datastore/{store}/snapshots',
    summary: 'Backup snapshots of a datastore in one namespace (the root unless `ns`): which guest (backup-type/-id), when, size, verification state',
    tags: ['pbs'],
    params: StoreParams,
    query: z.strictObject({ ns: namespace.optional(), 'backup-type': z.enum(['vm', 'ct', 'host']).optional(), 'backup-id': z.string().max(256).optional() }),
    output: z.array(Snapshot).max(1_000_000),
    permission: { path: '/remotes/{remote}', privilege: 'audit' },
    audit: false,
    handler: async ({ deps, auth, params, query }) => {
      // PBS checks the namespace's own ACL path (/datastore/{store}/{ns}) for the credential.
      const list = await get(deps, auth, params.remote, `/admin/datastore/${params.store}/snapshots`, 60_000, { ns: query.ns || undefined, 'backup-type': query['backup-type'], 'backup-id': query['backup-id'] });
      return (Array.isArray(list) ? list : []) as z.input<typeof Snapshot>[];
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/pbs/remotes/{remote}/datastore/{store}/namespaces',
    summary: "A datastore's namespaces: `parent` (the root unless given) first, then those below it to `max-depth` levels, as PBS lists them (those the remote's credential may see)",
    tags: ['pbs'],
    params: StoreParams,
    query: z.strictObject({ parent: namespace.optional(), 'max-depth': intParam(0, MAX_NS_DEPTH).optional() }),
    output: z.array(Namespace).max(MAX_NAMESPACES),
    permission: { path: '/remotes/{remote}', privilege: 'audit' },
    audit: false,
    handler: async ({ deps, auth, params, query }) => {
      const list = await get(deps, auth, params.remote, `/admin/datastore/${params.store}/namespace`, 60_000, { parent: query.parent || undefined, 'max-depth': query['max-depth'] });
      const out: z.input<typeof Namespace>[] = [];
      for (const x of (Array.isArray(list) ? list : []) as Record<string, unknown>[]) {
        if (out.length >= MAX_NAMESPACES) break;
        if (typeof x?.ns !== 'string') continue;
        out.push({ ns: x.ns, ...(typeof x.comment === 'string' ? { comment: x.comment } : {}) });
      }
      return out;
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/pbs/remotes/{remote}/datastore/{store}/rrddata',
    summary: "A datastore's usage and I/O history for a timeframe, from Steward's own store (served while the host is down)",
    tags: ['pbs', 'metrics'],
    params: StoreParams,
    query: RrdQuery,
    output: RrdPoints,
    permission: { path: '/remotes/{remote}', privilege: 'audit' },
    audit: false,
    handler: async ({ deps, auth, params, query }) => {
      pbs(deps, params.remote);
      return metricsHistory(deps, auth, { remote: params.remote, objectId: `datastore/${params.store}`, remotePath: `/admin/datastore/${params.store}/rrd`, ...query });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/pbs/remotes/{remote}/jobs',
    summary: 'The last results of GC, verify, prune and sync jobs',
    tags: ['pbs'],
    params: z.strictObject({ remote: safeId }),
    output: z.array(Job).max(10_000),
    permission: { path: '/remotes/{remote}', privilege: 'audit' },
    audit: false,
    handler: async ({ deps, auth, params }) => {
      const out: z.input<typeof Job>[] = [];
      const kinds = ['gc', 'verify', 'prune', 'sync'] as const;
      const lists = await Promise.all(kinds.map((k) => get(deps, auth, params.remote, `/admin/${k}`, 60_000).catch(() => [])));
      kinds.forEach((kind, i) => {
        for (const j of (Array.isArray(lists[i]) ? lists[i] : []) as Record<string, unknown>[]) {
          const id = String(j.id ?? j.store ?? '');
          if (!id) continue;
          out.push({
            kind, id,
            ...(typeof j.store === 'string' ? { store: j.store } : {}),
            ...(typeof j['last-run-state'] === 'string' ? { 'last-run-state': j['last-run-state'] } : {}),
            ...(typeof j['last-run-endtime'] === 'number' ? { 'last-run-endtime': j['last-run-endtime'] } : {}),
            ...(typeof j['next-run'] === 'number' ? { 'next-run': j['next-run'] } : {}),
            ...(typeof j.schedule === 'string' ? { schedule: j.schedule } : {}),
          });
        }
      });
      return out;
    },
  }),
  ...taskRoutes('pbs'),
];
