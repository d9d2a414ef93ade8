// /remotes: add, list, change and remove PVE clusters and PBS hosts, and the add-remote
// wizard (probe-tls, scan). Output never carries a credential's secret.
import { z } from 'zod';
import { DEFAULT_PORT, ProbeTlsBody, ProbeTlsResult, RemoteCreateSchema, RemoteSchema, RemoteUpdateSchema, ScanBody, ScanResult } from '../../../shared/remotes.ts';
import { digest, safeId } from '../../../shared/formats.ts';
import { defineRoute } from '../framework/route.ts';
import { RemoteRepo } from '../remotes/remote-repo.ts';
import type { StateRecord } from '../remotes/snapshot-cache.ts';
import { RemoteStateSchema } from '../../../shared/resources.ts';
import type { AppDeps } from '../deps.ts';
import { probeTls, scanRemote } from '../remotes/wizard.ts';

const RemoteParams = z.strictObject({ remote: safeId });

const EndpointHealth = z.object({ host: z.string(), port: z.number(), 'changed-fingerprint': z.string().optional(), error: z.string().optional() });
const RemoteStatus = RemoteStateSchema.extend({ endpoints: z.array(EndpointHealth) });

function remoteStatus(deps: AppDeps, id: string) {
  const entry = deps.remotes.repo.get(id);
  const seen = deps.remotes.clients.endpointStates(id);
  return {
    ...(deps.remotes.cache.state(id) ?? { remote: id, type: entry.value.type, status: entry.value.enabled ? 'unknown' as const : 'disabled' as const }),
    endpoints: entry.value.endpoints.map((e, i) => ({
      host: e.host,
      port: e.port,
      ...(seen?.[i]?.mismatch ? { 'changed-fingerprint': seen[i].mismatch } : {}),
      ...(seen?.[i]?.lastError ? { error: seen[i].lastError } : {}),
    })),
  };
}

async function refreshed(deps: AppDeps, id: string): Promise<StateRecord> {
  if (!deps.remotes.repo.get(id).value.enabled) return deps.remotes.cache.stateRecord(id) ?? { remote: id, type: deps.remotes.repo.get(id).value.type, status: 'disabled' };
  return deps.remotes.poller.refresh(id, { slow: true });
}

export const routes = [
  defineRoute({
    method: 'GET',
    path: '/remotes',
    summary: 'List the remotes the caller may see',
    tags: ['remotes'],
    output: z.array(RemoteSchema),
    permission: { authenticated: true, description: 'Lists the remotes the caller holds a role on, directly or through a group.' },
    audit: false,
    handler: ({ deps, auth }) =>
      deps.remotes.repo.list().filter((e) => deps.acl.remoteAccess(auth, e.key) !== null).map(RemoteRepo.toWire),
  }),
  defineRoute({
    method: 'POST',
    path: '/remotes',
    summary: 'Add a remote (endpoints with pinned fingerprints, named credentials)',
    description: 'Credentials are stored encrypted and never returned. Use /remotes/probe-tls and /remotes/scan first to find the fingerprints and endpoints.',
    tags: ['remotes'],
    body: RemoteCreateSchema,
    output: RemoteSchema,
    permission: { path: '/remotes', privilege: 'admin' },
    audit: 'remote.create',
    status: 201,
    handler: async ({ deps, body, setAuditTarget }) => {
      setAuditTarget(`/remotes/${body.id}`);
      return RemoteRepo.toWire(await deps.remotes.repo.create(body));
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/remotes/{remote}',
    summary: "A remote's configuration (without secrets)",
    tags: ['remotes'],
    params: RemoteParams,
    output: RemoteSchema,
    permission: { path: '/remotes/{remote}', privilege: 'audit' },
    audit: false,
    handler: ({ deps, params }) => RemoteRepo.toWire(deps.remotes.repo.get(params.remote)),
  }),
  defineRoute({
    method: 'PUT',
    path: '/remotes/{remote}',
    summary: 'Change a remote: endpoints (e.g. trust a new fingerprint), credentials, intervals',
    description: 'A credential given without its secret keeps the stored one. Send the digest you read to avoid overwriting a concurrent change.',
    tags: ['remotes'],
    params: RemoteParams,
    body: RemoteUpdateSchema,
    output: RemoteSchema,
    permission: { path: '/remotes/{remote}', privilege: 'admin' },
    audit: 'remote.update',
    handler: async ({ deps, params, body }) => RemoteRepo.toWire(await deps.remotes.repo.update(params.remote, body)),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/remotes/{remote}',
    summary: 'Remove a remote and its cached data',
    tags: ['remotes'],
    params: RemoteParams,
    query: z.strictObject({ digest: digest.optional() }),
    output: z.null(),
    permission: { path: '/remotes/{remote}', privilege: 'admin' },
    audit: 'remote.delete',
    handler: async ({ deps, params, query }) => {
      await deps.remotes.repo.delete(params.remote, query.digest);
      return null;
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/remotes/{remote}/status',
    summary: "A remote's health: ok, degraded or down with the error, the age of its data, and each endpoint's state",
    tags: ['remotes'],
    params: RemoteParams,
    output: RemoteStatus,
    permission: { path: '/remotes/{remote}', privilege: 'audit' },
    audit: false,
    handler: ({ deps, params }) => remoteStatus(deps, params.remote),
  }),
  defineRoute({
    method: 'POST',
    path: '/remotes/{remote}/refresh',
    summary: "Refresh a remote's resources (and its slower items) now; answers when done",
    tags: ['remotes'],
    params: RemoteParams,
    output: RemoteStatus,
    permission: { path: '/remotes/{remote}', privilege: 'manage' },
    audit: 'remote.refresh',
    handler: async ({ deps, params }) => {
      await refreshed(deps, params.remote);
      return remoteStatus(deps, params.remote);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/remotes/refresh',
    summary: 'Refresh every enabled remote now; answers when all are done',
    tags: ['remotes'],
    output: z.array(RemoteStateSchema),
    permission: { path: '/remotes', privilege: 'manage' },
    audit: 'remote.refresh-all',
    handler: async ({ deps }) => {
      await deps.remotes.poller.refreshAll();
      return deps.remotes.repo.list().map((e) => deps.remotes.cache.state(e.key) ?? { remote: e.key, type: e.value.type, status: 'disabled' as const });
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/remotes/probe-tls',
    summary: "A host's certificate chain and SHA-256 fingerprint, to trust before adding it (no credentials sent)",
    tags: ['remotes'],
    body: ProbeTlsBody,
    output: ProbeTlsResult,
    permission: { path: '/remotes', privilege: 'admin' },
    audit: 'remote.probe-tls',
    handler: ({ body }) => probeTls(body.host, body.port ?? DEFAULT_PORT[body.type ?? 'pve']),
  }),
  defineRoute({
    method: 'POST',
    path: '/remotes/scan',
    summary: "Test a credential over the pinned connection; discover a cluster's nodes and their fingerprints",
    description: 'Answers the version, the cluster nodes as ready-made endpoints, and which Steward features the credential\'s privileges allow.',
    tags: ['remotes'],
    body: ScanBody,
    output: ScanResult,
    permission: { path: '/remotes', privilege: 'admin' },
    audit: 'remote.scan',
    handler: ({ body }) => scanRemote(body),
  }),
];
