// /access/users/{userid}/token/{name}: API tokens. The secret is in the creation answer only.
import { z } from 'zod';
import { ApiError } from '../../../shared/errors.ts';
import { comment, digest, pveBool, tokenName, userid } from '../../../shared/formats.ts';
import { defineRoute } from '../framework/route.ts';
import type { Route } from '../framework/route.ts';
import { accessOf } from '../auth/index.ts';
import { hashSecret, TokenRepo, TokenSchema } from '../auth/tokens.ts';
import { digestVersion } from '../store/store.ts';

const USER = z.strictObject({ userid });
const TOKEN = z.strictObject({ userid, name: tokenName });
const ceiling = z.enum(['Audit', 'Manage', 'Admin']);
const fields = {
  comment: comment.optional(),
  enable: pveBool.optional(),
  expire: z.coerce.number().int().min(0).max(2 ** 40).optional(),
};
const SELF = { path: '/access', privilege: 'admin', self: 'userid' } as const;

export const routes: Route[] = [
  defineRoute({
    method: 'GET',
    path: '/access/users/{userid}/token',
    summary: 'List a user’s API tokens (never their secrets)',
    tags: ['access'],
    params: USER,
    output: z.array(TokenSchema),
    permission: { path: '/access', privilege: 'audit', self: 'userid' },
    audit: false,
    handler: ({ deps, params }) => {
      const ac = accessOf(deps);
      ac.users.require(params.userid);
      return ac.tokens.listFor(params.userid).map((e) => ac.tokens.toWire(e));
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/access/users/{userid}/token/{name}',
    summary: 'Read an API token',
    tags: ['access'],
    params: TOKEN,
    output: TokenSchema,
    permission: { path: '/access', privilege: 'audit', self: 'userid' },
    audit: false,
    handler: ({ deps, params }) => {
      const ac = accessOf(deps);
      const e = ac.tokens.get(`${params.userid}!${params.name}`);
      if (!e) throw new ApiError('not_found', `no such token '${params.userid}!${params.name}'`);
      return ac.tokens.toWire(e);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/access/users/{userid}/token/{name}',
    summary: 'Create an API token; the answer holds its secret, shown this once',
    description: '`privsep` (default on): the token’s rights are its own ACL entries intersected with its user’s. `role`: a ceiling the token never exceeds (Audit = read only, Manage = guest control, Admin).',
    tags: ['access'],
    params: TOKEN,
    body: z.strictObject({ ...fields, privsep: pveBool.optional(), role: ceiling.optional() }),
    output: z.object({ tokenid: z.string(), value: z.string() }),
    permission: SELF,
    audit: 'token.create',
    status: 201,
    handler: async ({ deps, params, body, setAuditTarget }) => {
      const ac = accessOf(deps);
      const tokenid = `${params.userid}!${params.name}`;
      setAuditTarget(tokenid);
      ac.users.require(params.userid);
      const secret = TokenRepo.newSecret();
      await ac.tokens.tokens.create(tokenid, {
        tokenid, userid: params.userid, hash: hashSecret(secret),
        ...(body.comment ? { comment: body.comment } : {}),
        enable: body.enable ?? true, expire: body.expire ?? 0, privsep: body.privsep ?? true,
        ...(body.role ? { role: body.role } : {}),
        created: ac.nowS(),
      });
      return { tokenid, value: secret };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/access/users/{userid}/token/{name}',
    summary: 'Update an API token (comment, enable, expiry, ceiling role)',
    tags: ['access'],
    params: TOKEN,
    body: z.strictObject({ ...fields, role: ceiling.optional(), delete: z.array(z.enum(['comment', 'role'])).max(2).optional(), digest: digest.optional() }),
    output: z.null(),
    permission: SELF,
    audit: 'token.update',
    handler: async ({ deps, params, body }) => {
      const ac = accessOf(deps);
      const tokenid = `${params.userid}!${params.name}`;
      const e = ac.tokens.get(tokenid);
      if (!e) throw new ApiError('not_found', `no such token '${tokenid}'`);
      const { delete: del, digest: d, ...f } = body;
      const next = { ...e.value, ...Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) };
      for (const k of del ?? []) delete next[k];
      await ac.tokens.tokens.update(tokenid, next, digestVersion(d));
      await ac.acl.bumpGeneration();
      return null;
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/access/users/{userid}/token/{name}',
    summary: 'Delete an API token and its ACL entries',
    tags: ['access'],
    params: TOKEN,
    output: z.null(),
    permission: SELF,
    audit: 'token.delete',
    handler: async ({ deps, params }) => {
      const ac = accessOf(deps);
      const tokenid = `${params.userid}!${params.name}`;
      if (!ac.tokens.get(tokenid)) throw new ApiError('not_found', `no such token '${tokenid}'`);
      await ac.tokens.tokens.delete(tokenid);
      await ac.tokens.deleteUsage(tokenid);
      await ac.acl.removeSubject('token', tokenid);
      return null;
    },
  }),
];
