// /pve/remotes/{remote}/…: guest actions (start, stop, shutdown, reboot, migrate within
// the cluster, migrate to another remote) that return the remote's UPID prefixed with the
// remote id, the tasks routes that follow them (task-routes.ts), and per-node/guest detail
// proxied with a short cache. Every call acts with the credential the caller's access gives
// (a group's limited token for its members), so the remote enforces its own limits too. A
// role on a saved view reaches the guests that view includes, one by one (and their tasks).
import { z } from 'zod';
import { ApiError } from '../../../shared/errors.ts';
import { intParam, pveBool, safeId } from '../../../shared/formats.ts';
import type { AppDeps } from '../deps.ts';
import { defineRoute, fillTemplate } from '../framework/route.ts';
import type { Route } from '../framework/route.ts';
import type { AuthInfo } from '../framework/types.ts';
import type { RemoteClient } from '../remotes/client.ts';
import { splitTaskId } from '../tasks/remote-tasks.ts';
import { metricsHistory } from '../metrics/history.ts';
import { proxiedGet } from '../remotes/proxied-get.ts';
import { remoteClientFor, taskRoutes } from './task-routes.ts';
import { taskGuest, viewGuests } from '../resources/resource-query.ts';

/** PDM-style metrics query, answered from Steward's own history (daemons/api/metrics). */
export const RrdQuery = z.strictObject({ timeframe: z.enum(['hour', 'day', 'week', 'month', 'year']).default('hour'), cf: z.enum(['AVERAGE', 'MAX']).default('AVERAGE') });
export const RrdPoints = z.array(z.record(z.string(), z.union([z.number(), z.string(), z.null()]))).max(100_000);

const nodeName = z.string().min(1).max(63).regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, 'must be a node name');
const vmid = intParam(100, 999_999_999);
const storageId = z.string().min(1).max(64).regex(/^[A-Za-z][A-Za-z0-9._-]*$/, 'must be a storage id');
const GuestParams = z.strictObject({ remote: safeId, vmid });
const NodeParams = z.strictObject({ remote: safeId, node: nodeName });
const Upid = z.string().describe('remote!UPID:… — follow it at /pve/remotes/{remote}/tasks/{upid}/status');

type Kind = 'qemu' | 'lxc';

/** The client acting for this caller on this remote (their group's credential, else the default). */
function clientFor(deps: AppDeps, auth: AuthInfo, remote: string): { client: RemoteClient; credential: string | null } {
  return remoteClientFor(deps, auth, remote, 'pve');
}

/** The node a guest runs on, from the body or the last snapshot. */
function guestNode(deps: AppDeps, remote: string, kind: Kind, id: number, given?: string): string {
  if (given) return given;
  const t = deps.remotes.cache.table(remote);
  const node = t.str('node', t.indexOf(`${kind}/${id}`));
  if (!node) throw new ApiError('not_found', `no ${kind} ${id} on remote '${remote}' in the last refresh (refresh the remote, or pass node)`);
  return node;
}

function who(auth: AuthInfo): string {
  return auth.tokenid ?? auth.userid;
}

async function started(deps: AppDeps, auth: AuthInfo, remote: string, credential: string | null, node: string, type: string, object: string, upid: unknown): Promise<string> {
  if (typeof upid !== 'string') throw new ApiError('remote_error', `${remote}: the remote answered no task id`);
  const { node: upidNode } = splitTaskId(upid, remote);
  // The remote's own task type (qmstart, vzshutdown, qmigrate…) from its UPID, as its task
  // list names it, so filters by type find Steward's tasks and the remote's alike.
  const upidType = upid.replace(/^[^!]*!(?=UPID:)/, '').split(':')[5];
  const rec = await deps.remotes.tasks.record({ remote, upid, node: upidNode || node, type: upidType || type, object, user: who(auth), credential });
  return rec.id;
}

const GUEST_ACTIONS = {
  start: { body: z.strictObject({ node: nodeName.optional() }), summary: 'Start a guest' },
  stop: { body: z.strictObject({ node: nodeName.optional(), timeout: intParam(0, 3600).optional() }), summary: 'Stop a guest immediately (like pulling the plug)' },
  shutdown: { body: z.strictObject({ node: nodeName.optional(), timeout: intParam(0, 3600).optional(), forceStop: pveBool.optional() }), summary: 'Shut a guest down cleanly (ACPI / init)' },
  reboot: { body: z.strictObject({ node: nodeName.optional(), timeout: intParam(0, 3600).optional() }), summary: 'Reboot a guest' },
} as const;

function guestRoutes(kind: Kind): Route[] {
  const base = `/pve/remotes/{remote}/${kind}/{vmid}`;
  const label = kind === 'qemu' ? 'VM' : 'container';
  const routes: Route[] = [];
  for (const [action, spec] of Object.entries(GUEST_ACTIONS)) {
    routes.push(defineRoute({
      method: 'POST',
      path: `${base}/${action}`,
      summary: `${spec.summary} (${label}); returns the task id`,
      tags: ['pve'],
      params: GuestParams,
      body: spec.body,
      output: Upid,
      permission: { path: '/remotes/{remote}', privilege: 'manage', viewResource: `${kind}/{vmid}` },
      audit: `guest.${action}`,
      handler: async ({ deps, auth, params, body }) => {
        const { client, credential } = clientFor(deps, auth, params.remote);
        const { node: given, ...rest } = body as { node?: string } & Record<string, unknown>;
        const node = guestNode(deps, params.remote, kind, params.vmid, given);
        const upid = await client.post(`/nodes/${node}/${kind}/${params.vmid}/status/${action}`, rest);
        return started(deps, auth, params.remote, credential, node, `${kind}${action}`, String(params.vmid), upid);
      },
    }));
  }

  routes.push(defineRoute({
    method: 'POST',
    path: `${base}/migrate`,
    summary: `Migrate a ${label} to another node of the same cluster; the remote's preconditions are checked first`,
    tags: ['pve'],
    params: GuestParams,
    body: z.strictObject({
      target: nodeName,
      node: nodeName.optional(),
      online: pveBool.optional(),
      'with-local-disks': pveBool.optional(),
      restart: pveBool.optional(),
    }),
    output: Upid,
    permission: { path: '/remotes/{remote}', privilege: 'manage', viewResource: `${kind}/{vmid}` },
    audit: 'guest.migrate',
    handler: async ({ deps, auth, params, body }) => {
      const { client, credential } = clientFor(deps, auth, params.remote);
      const node = guestNode(deps, params.remote, kind, params.vmid, body.node);
      if (body.target === node) throw new ApiError('validation', `${label} ${params.vmid} is already on node ${node}`, { errors: { target: 'same as the current node' } });
      const t = deps.remotes.cache.table(params.remote);
      const target = t.indexOf(`node/${body.target}`);
      if (target < 0) throw new ApiError('validation', `node '${body.target}' is not part of remote '${params.remote}'`, { errors: { target: 'unknown node' } });
      const targetStatus = t.str('status', target);
      if (targetStatus !== 'online') throw new ApiError('validation', `target node '${body.target}' is ${targetStatus ?? 'not online'}`, { errors: { target: 'not online' } });
      const running = t.str('status', t.indexOf(`${kind}/${params.vmid}`)) === 'running';
      let args: Record<string, unknown>;
      if (kind === 'qemu') {
        // The remote's own precondition check: allowed nodes, local disks/resources.
        const pre = (await client.get(`/nodes/${node}/qemu/${params.vmid}/migrate`, { target: body.target })) as { running?: unknown; allowed_nodes?: string[]; not_allowed_nodes?: Record<string, { unavailable_storages?: string[] }>; local_disks?: unknown[]; local_resources?: string[] } | null;
        const blocked = pre?.not_allowed_nodes?.[body.target];
        if (blocked) throw new ApiError('validation', `the remote refuses migrating ${params.vmid} to ${body.target}: storages not available there: ${(blocked.unavailable_storages ?? []).join(', ') || 'unknown reason'}`, { errors: { target: 'not allowed' } });
        if (pre?.local_resources?.length) throw new ApiError('validation', `${label} ${params.vmid} uses local resources (${pre.local_resources.join(', ')}) and cannot migrate`);
        const isRunning = pre?.running !== undefined ? Boolean(pre.running) : running;
        if (isRunning && !body.online) throw new ApiError('validation', `${label} ${params.vmid} is running: pass online=1 for a live migration, or shut it down first`, { errors: { online: 'required for a running VM' } });
        if (pre?.local_disks?.length && !body['with-local-disks']) throw new ApiError('validation', `${label} ${params.vmid} has local disks: pass with-local-disks=1 to copy them`, { errors: { 'with-local-disks': 'required with local disks' } });
        args = { target: body.target, ...(body.online !== undefined ? { online: body.online } : {}), ...(body['with-local-disks'] ? { 'with-local-disks': 1 } : {}) };
      } else {
        if (running && !body.restart) throw new ApiError('validation', `container ${params.vmid} is running: pass restart=1 (containers migrate by restarting), or shut it down first`, { errors: { restart: 'required for a running container' } });
        args = { target: body.target, ...(body.restart ? { restart: 1 } : {}) };
      }
      const upid = await client.post(`/nodes/${node}/${kind}/${params.vmid}/migrate`, args);
      return started(deps, auth, params.remote, credential, node, `${kind}migrate`, String(params.vmid), upid);
    },
  }));

  routes.push(defineRoute({
    method: 'POST',
    path: `${base}/remote-migrate`,
    summary: `Migrate a ${label} to another PVE remote (PVE remote_migrate) with storage and bridge mapping`,
    description: "Steward passes the target remote's first endpoint, its fingerprint and its API token to the source cluster; the target must have an API-token credential. Needs Admin on both remotes.",
    tags: ['pve'],
    params: GuestParams,
    body: z.strictObject({
      target: safeId,
      'target-storage': z.string().min(1).max(1024),
      'target-bridge': z.string().min(1).max(1024),
      'target-vmid': intParam(100, 999_999_999).optional(),
      node: nodeName.optional(),
      online: pveBool.optional(),
      restart: pveBool.optional(),
      delete: pveBool.optional(),
    }),
    output: Upid,
    permission: { path: '/remotes/{remote}', privilege: 'admin' },
    audit: 'guest.remote-migrate',
    handler: async ({ deps, auth, params, body }) => {
      // The route's permission covers the source; the target gets a guest too, so it needs Admin there as well.
      if (!(await deps.access.authorize(auth, `/remotes/${body.target}`, 'admin'))) throw new ApiError('forbidden', `permission check failed (/remotes/${body.target}, admin)`);
      if (body.target === params.remote) throw new ApiError('validation', 'the target is the same remote: use migrate', { errors: { target: 'same remote' } });
      const { client, credential } = clientFor(deps, auth, params.remote);
      const target = deps.remotes.repo.get(body.target).value;
      if (target.type !== 'pve') throw new ApiError('validation', `target '${body.target}' is not a PVE remote`, { errors: { target: 'not PVE' } });
      const cred = target.credentials.find((c) => c.kind === 'token');
      if (!cred) throw new ApiError('validation', `target '${body.target}' has no API-token credential; remote migration needs one`, { errors: { target: 'no API token' } });
      const token = deps.remotes.repo.clientCredential(target, cred.name) as { tokenid: string; secret: string };
      const ep = target.endpoints[0]!;
      const endpoint = [`host=${ep.host}`, `port=${ep.port}`, `apitoken=PVEAPIToken=${token.tokenid}=${token.secret}`, ...(ep.fingerprint ? [`fingerprint=${ep.fingerprint}`] : [])].join(',');
      const node = guestNode(deps, params.remote, kind, params.vmid, body.node);
      const upid = await client.post(`/nodes/${node}/${kind}/${params.vmid}/remote_migrate`, {
        'target-endpoint': endpoint,
        'target-storage': body['target-storage'],
        'target-bridge': body['target-bridge'],
        ...(body['target-vmid'] !== undefined ? { 'target-vmid': body['target-vmid'] } : {}),
        ...(kind === 'qemu' && body.online !== undefined ? { online: body.online } : {}),
        ...(kind === 'lxc' && body.restart !== undefined ? { restart: body.restart } : {}),
        ...(body.delete !== undefined ? { delete: body.delete } : {}),
      });
      return started(deps, auth, params.remote, credential, node, `${kind}remote-migrate`, String(params.vmid), upid);
    },
  }));

  routes.push(defineRoute({
    method: 'GET',
    path: `${base}/rrddata`,
    summary: `A ${label}'s metrics history (cpu, mem, disk, net) for a timeframe`,
    tags: ['pve', 'metrics'],
    params: GuestParams,
    query: RrdQuery.extend({ node: nodeName.optional() }),
    output: RrdPoints,
    permission: { path: '/remotes/{remote}', privilege: 'audit', viewResource: `${kind}/{vmid}` },
    audit: false,
    handler: async ({ deps, auth, params, query }) => {
      clientFor(deps, auth, params.remote);
      // A guest that vanished keeps its history; only asking its remote needs the node.
      const objectId = `${kind}/${params.vmid}`;
      const t = deps.remotes.cache.table(params.remote);
      const node = query.node ?? t.str('node', t.indexOf(objectId));
      if (!node && !deps.remotes.metrics.has(params.remote, objectId)) guestNode(deps, params.remote, kind, params.vmid);
      return metricsHistory(deps, auth, { remote: params.remote, objectId, timeframe: query.timeframe, cf: query.cf, ...(node ? { remotePath: `/nodes/${node}/${kind}/${params.vmid}/rrddata` } : {}) });
    },
  }));

  for (const [what, path, summary] of [['status', 'status/current', 'current status'], ['config', 'config', 'configuration']] as const) {
    routes.push(defineRoute({
      method: 'GET',
      path: `${base}/${what}`,
      summary: `A ${label}'s ${summary}, read from the remote`,
      tags: ['pve'],
      params: GuestParams,
      query: z.strictObject({ node: nodeName.optional() }),
      output: z.record(z.string(), z.unknown()),
      permission: { path: '/remotes/{remote}', privilege: 'audit', viewResource: `${kind}/{vmid}` },
      audit: false,
      handler: async ({ deps, auth, params, query }) => {
        const { client } = clientFor(deps, auth, params.remote);
        const node = guestNode(deps, params.remote, kind, params.vmid, query.node);
        return ((await client.get(`/nodes/${node}/${kind}/${params.vmid}/${path}`)) ?? {}) as Record<string, unknown>;
      },
    }));
  }
  return routes;
}

/**
 * The metrics history of a node or of something on it (`sub` below /nodes/{node}): Steward's
 * own history of `objectId`, filled from the remote's rrddata at the same path.
 */
function nodeRrdRoute<P extends typeof NodeParams>(sub: string, summary: string, params: P, objectId: (p: z.infer<P>) => string): Route {
  return defineRoute({
    method: 'GET',
    path: `/pve/remotes/{remote}/nodes/{node}${sub}/rrddata`,
    summary,
    tags: ['pve', 'metrics'],
    params,
    query: RrdQuery,
    output: RrdPoints,
    permission: { path: '/remotes/{remote}', privilege: 'audit' },
    audit: false,
    handler: async ({ deps, auth, params: p, query }) => {
      clientFor(deps, auth, p.remote);
      return metricsHistory(deps, auth, { remote: p.remote, objectId: objectId(p as z.infer<P>), remotePath: fillTemplate(`/nodes/{node}${sub}/rrddata`, p), ...query });
    },
  });
}

const TaskOut = z.object({
  id: z.string(), remote: z.string(), 'remote-type': z.enum(['pve', 'pbs']), upid: z.string(), node: z.string().optional(), type: z.string().optional(), object: z.string().optional(),
  user: z.string().optional(), starttime: z.number().optional(), endtime: z.number().optional(), status: z.string(),
  'started-by-steward': z.boolean(),
});

export const routes: Route[] = [
  ...guestRoutes('qemu'),
  ...guestRoutes('lxc'),
  defineRoute({
    method: 'GET',
    path: '/pve/remotes/{remote}/nodes/{node}/status',
    summary: "A node's status, read from the remote",
    tags: ['pve'],
    params: NodeParams,
    output: z.record(z.string(), z.unknown()),
    permission: { path: '/remotes/{remote}', privilege: 'audit' },
    audit: false,
    handler: async ({ deps, auth, params }) => ((await clientFor(deps, auth, params.remote).client.get(`/nodes/${params.node}/status`)) ?? {}) as Record<string, unknown>,
  }),
  nodeRrdRoute('', "A node's metrics history for a timeframe", NodeParams, (p) => `node/${p.node}`),
  nodeRrdRoute('/storage/{storage}', "A storage's usage history (used, total) on one node for a timeframe", NodeParams.extend({ storage: storageId }), (p) => `storage/${p.node}/${p.storage}`),
  defineRoute({
    method: 'GET',
    path: '/pve/remotes/{remote}/nodes/{node}/tasks',
    summary: "A node's recent tasks, read from the remote",
    tags: ['pve', 'tasks'],
    params: NodeParams,
    query: z.strictObject({ start: intParam(0, 1_000_000).default(0), limit: intParam(1, 1000).default(50), errors: pveBool.optional() }),
    output: z.array(z.record(z.string(), z.unknown())).max(1000),
    permission: { path: '/remotes/{remote}', privilege: 'audit' },
    audit: false,
    handler: async ({ deps, auth, params, query }) => {
      clientFor(deps, auth, params.remote);
      const list = await proxiedGet(deps, auth, { remote: params.remote, path: `/nodes/${params.node}/tasks`, query: { start: query.start, limit: query.limit, ...(query.errors ? { errors: 1 } : {}) }, ttlMs: 5000 });
      return (Array.isArray(list) ? list : []) as Record<string, unknown>[];
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/pve/remotes/{remote}/nodes/{node}/subscription',
    summary: "A node's subscription status, from the poller's slow refresh",
    tags: ['pve'],
    params: NodeParams,
    output: z.record(z.string(), z.unknown()),
    permission: { path: '/remotes/{remote}', privilege: 'audit' },
    audit: false,
    handler: ({ deps, params }) => {
      const slow = deps.remotes.cache.slow(params.remote) as { nodes?: Record<string, { subscription?: Record<string, unknown> }> } | undefined;
      const sub = slow?.nodes?.[params.node]?.subscription;
      if (!sub) throw new ApiError('not_found', `no subscription data for node '${params.node}' yet (refresh the remote)`);
      // The key is a secret-ish identifier of the customer's subscription; the status is what the dashboard needs.
      const { key: _key, ...rest } = sub;
      return rest;
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/pve/remotes/{remote}/nodes/{node}/apt',
    summary: "A node's pending updates and subscription, from the poller's slow refresh",
    tags: ['pve'],
    params: NodeParams,
    output: z.object({ time: z.number().optional(), updates: z.array(z.unknown()).max(5000), subscription: z.unknown().optional(), error: z.string().optional() }),
    permission: { path: '/remotes/{remote}', privilege: 'audit' },
    audit: false,
    handler: ({ deps, params }) => {
      const slow = deps.remotes.cache.slow(params.remote) as { time?: number; nodes?: Record<string, { updates?: unknown[]; subscription?: unknown; error?: string }> } | undefined;
      const n = slow?.nodes?.[params.node];
      return { ...(slow?.time ? { time: Math.floor(slow.time / 1000) } : {}), updates: n?.updates ?? [], ...(n?.subscription !== undefined ? { subscription: n.subscription } : {}), ...(n?.error ? { error: n.error } : {}) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/remotes/tasks',
    summary: 'Tasks across remotes: those started through Steward and each remote\'s recent ones, newest first',
    tags: ['tasks'],
    query: z.strictObject({
      remote: safeId.optional(),
      user: z.string().max(128).optional(),
      status: z.enum(['running', 'ok', 'error']).optional(),
      type: z.string().max(64).optional(),
      node: z.string().max(63).optional(),
      object: z.string().max(128).optional().describe('the object a task acts on: a guest\'s vmid, a datastore'),
      start: intParam(0, 1_000_000).default(0),
      limit: intParam(1, 1000).default(50),
    }),
    output: z.object({ total: z.number(), tasks: z.array(TaskOut) }),
    permission: { authenticated: true, description: 'Lists tasks of the remotes the caller holds a role on, and of the guests their saved views include.' },
    audit: false,
    handler: ({ deps, auth, query }) => {
      const byId = new Map<string, z.input<typeof TaskOut>>();
      for (const e of deps.remotes.repo.list()) {
        if (query.remote && e.key !== query.remote) continue;
        const access = deps.acl.remoteAccess(auth, e.key);
        // Without a role on the remote, a view holder sees the tasks of the guests their views include.
        const guests = access ? null : viewGuests(deps, auth, e.key);
        if (!access && !guests) continue;
        const viewed = (upid: string) => guests?.has(taskGuest(upid) ?? '') === true;
        // Through a limited credential only the tasks started with it by Steward, not the remote's whole history.
        const full = access !== null && (access.credential === null || access.credential === e.value.credentials[0]?.name);
        if (full || guests) {
          for (const t of deps.remotes.cache.snapshot(e.key)?.tasks ?? []) {
            if (guests && !viewed(t.upid)) continue;
            const id = `${e.key}!${t.upid}`;
            byId.set(id, { id, remote: e.key, 'remote-type': e.value.type, upid: t.upid, node: t.node, type: t.type, object: t.id, user: t.user, starttime: t.starttime, endtime: t.endtime, status: t.status ?? (t.endtime ? 'unknown' : 'running'), 'started-by-steward': false });
          }
        }
        for (const t of deps.remotes.tasks.list()) {
          if (t.remote !== e.key || (guests ? !viewed(t.upid) : !full && t.credential !== access!.credential)) continue;
          byId.set(t.id, { id: t.id, remote: t.remote, 'remote-type': e.value.type, upid: t.upid, node: t.node, type: t.type, object: t.object, user: t.user, starttime: t.starttime, endtime: t.endtime, status: t.status, 'started-by-steward': true });
        }
      }
      const okStatus = (s: string) => s === 'OK' || s.startsWith('WARNINGS');
      const tasks = [...byId.values()].filter((t) =>
        (!query.user || t.user === query.user) &&
        (!query.type || t.type === query.type) &&
        (!query.node || t.node === query.node) &&
        (!query.object || t.object === query.object) &&
        (!query.status || (query.status === 'running' ? t.status === 'running' : query.status === 'ok' ? okStatus(t.status) : t.status !== 'running' && !okStatus(t.status))),
      ).sort((a, b) => (b.starttime ?? 0) - (a.starttime ?? 0));
      return { total: tasks.length, tasks: tasks.slice(query.start, query.start + query.limit) };
    },
  }),
  ...taskRoutes('pve'),
];
