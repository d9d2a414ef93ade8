// /remotes: add, list, change and remove PVE clusters and PBS hosts, and the add-remote
// wizard (probe-tls, scan). Output never carries a credential's secret.
import { z } from 'zod';
import { DEFAULT_PORT, ProbeTlsBody, ProbeTlsResult, RemoteCreateSchema, RemoteSchema, RemoteUpdateSchema, ScanBody, ScanResult } from '../../../shared/remotes.ts';
import { digest, safeId } from '../../../shared/formats.ts';
import { defineRoute } from '../framework/route.ts';
import { RemoteRepo } from '../remotes/remote-repo.ts';
import { probeTls, scanRemote } from '../remotes/wizard.ts';

const RemoteParams = z.strictObject({ remote: safeId });

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
