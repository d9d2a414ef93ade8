// /groups: groups of remotes. Each entry names a remote and the credential on it that the
// group's members act with; a role on /groups/{id} reaches those remotes.
import { z } from 'zod';
import { ApiError } from '../../../shared/errors.ts';
import { digest } from '../../../shared/formats.ts';
import { defineRoute } from '../framework/route.ts';
import type { Route } from '../framework/route.ts';
import { accessOf } from '../auth/index.ts';
import { groupComment, groupEntries, groupId, GroupSchema, groupToWire } from '../auth/remote-groups.ts';
import { digestVersion } from '../store/store.ts';

const ID = z.strictObject({ id: groupId });

export const routes: Route[] = [
  defineRoute({
    method: 'GET',
    path: '/groups',
    summary: 'List the groups of remotes the caller holds a role on',
    tags: ['groups'],
    output: z.array(GroupSchema),
    permission: { authenticated: true, description: 'Lists only groups the caller holds a role on.' },
    audit: false,
    handler: ({ deps, auth }) => {
      const ac = accessOf(deps);
      return ac.remoteGroups.groups.list().filter((e) => ac.role(auth, `/groups/${e.key}`) !== null).map(groupToWire);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/groups',
    summary: 'Create a group of remotes',
    tags: ['groups'],
    body: z.strictObject({ id: groupId, comment: groupComment.optional(), entries: groupEntries.optional() }),
    output: z.null(),
    permission: { path: '/groups', privilege: 'admin' },
    audit: 'group.create',
    status: 201,
    handler: async ({ deps, body, setAuditTarget }) => {
      setAuditTarget(body.id);
      const ac = accessOf(deps);
      await ac.remoteGroups.groups.create(body.id, { id: body.id, ...(body.comment ? { comment: body.comment } : {}), entries: body.entries ?? [] });
      await ac.acl.bumpGeneration();
      return null;
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/groups/{id}',
    summary: 'Read a group of remotes',
    tags: ['groups'],
    params: ID,
    output: GroupSchema,
    permission: { path: '/groups/{id}', privilege: 'audit' },
    audit: false,
    handler: ({ deps, params }) => {
      const e = accessOf(deps).remoteGroups.groups.get(params.id);
      if (!e) throw new ApiError('not_found', `no such group '${params.id}'`);
      return groupToWire(e);
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/groups/{id}',
    summary: 'Update a group of remotes (comment, entries)',
    tags: ['groups'],
    params: ID,
    body: z.strictObject({ comment: groupComment.optional(), entries: groupEntries.optional(), delete: z.array(z.enum(['comment'])).max(1).optional(), digest: digest.optional() }),
    output: z.null(),
    permission: { path: '/groups/{id}', privilege: 'admin' },
    audit: 'group.update',
    handler: async ({ deps, params, body }) => {
      const ac = accessOf(deps);
      const e = ac.remoteGroups.groups.get(params.id);
      if (!e) throw new ApiError('not_found', `no such group '${params.id}'`);
      const next = { ...e.value, ...(body.comment !== undefined ? { comment: body.comment } : {}), ...(body.entries ? { entries: body.entries } : {}) };
      if (body.delete?.includes('comment')) delete next.comment;
      await ac.remoteGroups.groups.update(params.id, next, digestVersion(body.digest));
      await ac.acl.bumpGeneration();
      return null;
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/groups/{id}',
    summary: 'Delete a group of remotes (its ACL entries go with it)',
    tags: ['groups'],
    params: ID,
    query: z.strictObject({ digest: digest.optional() }),
    output: z.null(),
    permission: { path: '/groups/{id}', privilege: 'admin' },
    audit: 'group.delete',
    handler: async ({ deps, params, query }) => {
      const ac = accessOf(deps);
      if (!ac.remoteGroups.groups.get(params.id)) throw new ApiError('not_found', `no such group '${params.id}'`);
      await ac.remoteGroups.groups.delete(params.id, digestVersion(query.digest));
      for (const e of ac.acl.list().filter((x) => x.path === `/groups/${params.id}`)) await ac.acl.remove(e.path, e.type, e.ugid);
      await ac.acl.bumpGeneration();
      return null;
    },
  }),
];
