// /resources: one search across every remote the caller may see, the dashboard counts,
// and the outliers. Served from the poller's snapshots, with each remote's freshness.
import { z } from 'zod';
import { BackupsResult } from '../../../shared/backups.ts';
import { intParam, pveBool, safeId } from '../../../shared/formats.ts';
import { RemoteStateSchema, ResourceListResult } from '../../../shared/resources.ts';
import { defineRoute } from '../framework/route.ts';
import { listBackups } from '../resources/backup-query.ts';
import { SORT_FIELDS, listResources, resourceStatus, topEntities, viewAllows } from '../resources/resource-query.ts';

const Counts = z.record(z.string(), z.number());
const Task = z.object({
  remote: z.string(), upid: z.string(), node: z.string().optional(), type: z.string().optional(), id: z.string().optional(),
  user: z.string().optional(), starttime: z.number().optional(), endtime: z.number().optional(), status: z.string().optional(),
});
const Top = z.array(z.object({ remote: z.string(), id: z.string(), type: z.string(), name: z.string().optional(), node: z.string().optional(), value: z.number() }));

export const routes = [
  defineRoute({
    method: 'GET',
    path: '/resources/list',
    summary: 'Guests, nodes, storages and PBS datastores across all remotes the caller may see, with search, sort and paging',
    description: 'See docs/api.md for the search syntax (categories, +required, -excluded, numeric comparisons such as cpu>80%). Each remote\'s freshness (status, age, error) comes along; a remote that is down keeps its last snapshot.',
    tags: ['resources'],
    query: z.strictObject({
      search: z.string().max(1024).optional(),
      sort: z.enum(SORT_FIELDS).optional(),
      order: z.enum(['asc', 'desc']).optional(),
      start: intParam(0, 10_000_000).default(0),
      limit: intParam(1, 100_000).default(1000),
    }),
    output: ResourceListResult,
    permission: { authenticated: true, description: 'Shows the remotes the caller holds a role on (through a group: what that group\'s credential sees) and the views granted to them.' },
    audit: false,
    handler: ({ deps, auth, query }) => listResources(deps, auth, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/resources/status',
    summary: 'Dashboard counts: guests/nodes/storages per status, remotes by health with errors and data age, recent failed tasks',
    tags: ['resources'],
    output: z.object({
      remotes: z.object({ total: z.number(), ok: z.number(), degraded: z.number(), down: z.number(), unknown: z.number(), disabled: z.number(), list: z.array(RemoteStateSchema) }),
      qemu: Counts, lxc: Counts, nodes: Counts, storages: Counts, datastores: Counts,
      'failed-tasks': z.array(Task),
    }),
    permission: { authenticated: true, description: 'Counts only what the caller may see.' },
    audit: false,
    handler: ({ deps, auth }) => resourceStatus(deps, auth, deps.remotes.now()),
  }),
  defineRoute({
    method: 'GET',
    path: '/resources/top-entities',
    summary: 'Outliers: busiest guests and nodes by CPU and memory, fullest storages (usage as fractions)',
    tags: ['resources'],
    query: z.strictObject({ limit: intParam(1, 100).default(10) }),
    output: z.object({ 'guest-cpu': Top, 'guest-mem': Top, 'node-cpu': Top, 'node-mem': Top, storage: Top }),
    permission: { authenticated: true, description: 'Ranks only what the caller may see.' },
    audit: false,
    handler: ({ deps, auth, query }) => topEntities(deps, auth, query.limit),
  }),
  defineRoute({
    method: 'GET',
    path: '/resources/backups',
    summary: 'Backup coverage across remotes: PVE backup jobs and the guests in none, PBS backup groups and the last GC/verify/prune/sync results',
    description: 'From each remote\'s slow refresh (its slow-interval, or a refresh-now), with the age of that data; an item that failed on its last try keeps its last list and is named in `errors`. Through a limited credential or a saved view only the guests and datastores the caller sees, and the jobs that include one of those guests; on PBS, through a limited credential, the groups and job results PBS lists to that credential. `summary=1`: the counts only (`remotes` empty), as the dashboard shows them. `start`/`limit`: a page of the remotes listed, in the order of /remotes; `summary` still counts them all.',
    tags: ['resources'],
    query: z.strictObject({ remote: safeId.optional(), summary: pveBool.optional(), start: intParam(0, 1_000_000).optional(), limit: intParam(1, 10_000).optional() }),
    output: BackupsResult,
    permission: { authenticated: true, description: 'Shows what /resources/list would show the caller: per remote, the guests and datastores they may see, and the jobs of those.' },
    audit: false,
    handler: ({ deps, auth, query }) => listBackups(deps, auth, deps.remotes.now(), query),
  }),
  defineRoute({
    method: 'GET',
    path: '/resources/privileges',
    summary: 'What the caller may do with one resource: Audit, Manage, Admin — through the remote or a saved view that includes it',
    description: 'For user interfaces deciding which actions to offer. A remote or resource the caller cannot see answers all false, the same as one that does not exist.',
    tags: ['resources'],
    query: z.strictObject({ remote: safeId, id: z.string().min(1).max(128).regex(/^[a-z]+\/[A-Za-z0-9._:/-]+$/, 'must be a resource id such as qemu/100') }),
    output: z.object({ audit: z.boolean(), manage: z.boolean(), admin: z.boolean() }),
    permission: { authenticated: true, description: 'Answers only about the caller.' },
    audit: false,
    handler: async ({ deps, auth, query }) => {
      const may = async (privilege: 'audit' | 'manage' | 'admin') =>
        (await deps.access.authorize(auth, `/remotes/${query.remote}`, privilege)) || viewAllows(deps, auth, query.remote, query.id, privilege);
      const [audit, manage, admin] = await Promise.all([may('audit'), may('manage'), may('admin')]);
      return { audit, manage, admin };
    },
  }),
];
