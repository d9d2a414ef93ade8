// /views: saved views — a search expression plus included/excluded remotes — that admins
// grant roles on, so a customer sees just their view in /resources.
import { z } from 'zod';
import { digest, safeId } from '../../../shared/formats.ts';
import { ViewCreateSchema, ViewSchema, ViewUpdateSchema } from '../../../shared/views.ts';
import { defineRoute } from '../framework/route.ts';
import { ViewRepo } from '../resources/views.ts';

const Params = z.strictObject({ view: safeId });

export const routes = [
  defineRoute({
    method: 'GET',
    path: '/views',
    summary: 'List the saved views the caller holds a role on',
    tags: ['views'],
    output: z.array(ViewSchema),
    permission: { authenticated: true, description: 'Lists the views the caller holds a role on.' },
    audit: false,
    handler: ({ deps, auth }) => deps.remotes.views.list().filter((e) => deps.acl.role(auth, `/views/${e.key}`) !== null).map(ViewRepo.toWire),
  }),
  defineRoute({
    method: 'POST',
    path: '/views',
    summary: 'Create a saved view (a search expression and remotes to include or exclude)',
    tags: ['views'],
    body: ViewCreateSchema,
    output: ViewSchema,
    permission: { path: '/views', privilege: 'admin' },
    audit: 'view.create',
    status: 201,
    handler: async ({ deps, body, setAuditTarget }) => {
      setAuditTarget(`/views/${body.id}`);
      return ViewRepo.toWire(await deps.remotes.views.create(body));
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/views/{view}',
    summary: 'A saved view',
    tags: ['views'],
    params: Params,
    output: ViewSchema,
    permission: { path: '/views/{view}', privilege: 'audit' },
    audit: false,
    handler: ({ deps, params }) => ViewRepo.toWire(deps.remotes.views.get(params.view)),
  }),
  defineRoute({
    method: 'PUT',
    path: '/views/{view}',
    summary: 'Change a saved view',
    tags: ['views'],
    params: Params,
    body: ViewUpdateSchema,
    output: ViewSchema,
    permission: { path: '/views/{view}', privilege: 'admin' },
    audit: 'view.update',
    handler: async ({ deps, params, body }) => ViewRepo.toWire(await deps.remotes.views.update(params.view, body)),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/views/{view}',
    summary: 'Delete a saved view',
    tags: ['views'],
    params: Params,
    query: z.strictObject({ digest: digest.optional() }),
    output: z.null(),
    permission: { path: '/views/{view}', privilege: 'admin' },
    audit: 'view.delete',
    handler: async ({ deps, params, query }) => {
      deps.remotes.views.get(params.view);
      await deps.remotes.views.delete(params.view, query.digest);
      return null;
    },
  }),
];
