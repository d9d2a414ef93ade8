// Following a remote's task through Steward — status, log (paged) and stop — the same way for
// PVE and PBS: `/{pve|pbs}/remotes/{remote}/tasks/{upid}/…`, the upid as an action returned it
// (`remote!UPID:…`) or the remote's own. Each call acts with the credential the caller's
// access gives, so the remote's own limits apply.
import { z } from 'zod';
import { ApiError } from '../../../shared/errors.ts';
import { intParam, safeId } from '../../../shared/formats.ts';
import type { RemoteType } from '../../../shared/remotes.ts';
import type { AppDeps } from '../deps.ts';
import { defineRoute } from '../framework/route.ts';
import type { Route } from '../framework/route.ts';
import type { AuthInfo } from '../framework/types.ts';
import type { RemoteClient } from '../remotes/client.ts';
import { splitTaskId } from '../tasks/remote-tasks.ts';

const TaskParams = z.strictObject({ remote: safeId, upid: z.string().min(10).max(512) });
const PRODUCT: Record<RemoteType, string> = { pve: 'PVE', pbs: 'PBS' };

/** The client acting for this caller on a remote of this type (their group's credential, else the default). */
export function remoteClientFor(deps: AppDeps, auth: AuthInfo, remote: string, type: RemoteType): { client: RemoteClient; credential: string | null } {
  const entry = deps.remotes.repo.get(remote);
  if (entry.value.type !== type) throw new ApiError('validation', `remote '${remote}' is a ${PRODUCT[entry.value.type]} remote, not ${PRODUCT[type]}`);
  const credential = deps.acl.remoteAccess(auth, remote)?.credential ?? null;
  return { client: deps.remotes.clients.client(entry, credential), credential };
}

/** The remote's path of a task: PVE under the node that ran it; PBS answers for itself as `localhost`. */
function taskPath(type: RemoteType, raw: string, remote: string): { upid: string; path: string } {
  const { upid, node } = splitTaskId(raw, remote);
  return { upid, path: `/nodes/${type === 'pve' ? node : 'localhost'}/tasks/${encodeURIComponent(upid)}` };
}

export function taskRoutes(type: RemoteType): Route[] {
  const base = `/${type}/remotes/{remote}/tasks/{upid}`;
  // A view holder follows and stops the tasks of the PVE guests their view includes.
  const viaView = type === 'pve' ? { viewResource: 'task/{upid}' } : {};
  return [
    defineRoute({
      method: 'GET',
      path: `${base}/status`,
      summary: `A ${PRODUCT[type]} task's status, read from the remote (upid as returned by an action: remote!UPID:…)`,
      tags: ['tasks'],
      params: TaskParams,
      output: z.record(z.string(), z.unknown()),
      permission: { path: '/remotes/{remote}', privilege: 'audit', ...viaView },
      audit: false,
      handler: async ({ deps, auth, params }) => {
        const { upid, path } = taskPath(type, params.upid, params.remote);
        const status = ((await remoteClientFor(deps, auth, params.remote, type).client.get(`${path}/status`)) ?? {}) as Record<string, unknown>;
        return { ...status, id: `${params.remote}!${upid}` };
      },
    }),
    defineRoute({
      method: 'GET',
      path: `${base}/log`,
      summary: `A ${PRODUCT[type]} task's log lines, paged (start, limit), read from the remote; follow a running task by asking again from the next line`,
      tags: ['tasks'],
      params: TaskParams,
      query: z.strictObject({ start: intParam(0, 10_000_000).default(0), limit: intParam(1, 5000).default(500) }),
      output: z.array(z.object({ n: z.number(), t: z.string() })),
      permission: { path: '/remotes/{remote}', privilege: 'audit', ...viaView },
      audit: false,
      handler: async ({ deps, auth, params, query }) => {
        const { path } = taskPath(type, params.upid, params.remote);
        const lines = await remoteClientFor(deps, auth, params.remote, type).client.get(`${path}/log`, { start: query.start, limit: query.limit });
        return (Array.isArray(lines) ? lines : []) as { n: number; t: string }[];
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: base,
      summary: `Stop a running ${PRODUCT[type]} task on the remote`,
      tags: ['tasks'],
      params: TaskParams,
      output: z.null(),
      permission: { path: '/remotes/{remote}', privilege: 'manage', ...viaView },
      audit: 'task.stop',
      handler: async ({ deps, auth, params }) => {
        const { path } = taskPath(type, params.upid, params.remote);
        await remoteClientFor(deps, auth, params.remote, type).client.request('DELETE', path);
        return null;
      },
    }),
  ];
}
