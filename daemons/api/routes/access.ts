// /access: login tickets, users, own password, effective permissions. Paths and shapes follow
// Proxmox Backup Server's, so its clients and habits carry over.
import { z } from 'zod';
import { ApiError } from '../../../shared/errors.ts';
import { digest, userid } from '../../../shared/formats.ts';
import { defineRoute } from '../framework/route.ts';
import type { Route } from '../framework/route.ts';
import { accessOf } from '../auth/index.ts';
import { LoginFlow } from '../auth/login.ts';
import { newPassword, steward_userid, userFields, UserSchema, userToWire } from '../auth/users.ts';
import { digestVersion } from '../store/store.ts';
import { pveBool } from '../../../shared/formats.ts';

const flows = new WeakMap<object, LoginFlow>();
function flowOf(ac: ReturnType<typeof accessOf>): LoginFlow {
  let f = flows.get(ac);
  if (!f) flows.set(ac, (f = new LoginFlow(ac)));
  return f;
}

const TicketAnswerSchema = z.object({
  username: z.string(),
  ticket: z.string(),
  CSRFPreventionToken: z.string().optional(),
  NeedTFA: z.literal(1).optional(),
});

const USER_PARAM = z.strictObject({ userid });

export const routes: Route[] = [
  defineRoute({
    method: 'POST',
    path: '/access/ticket',
    summary: 'Log in (or renew a ticket, or answer a TFA challenge)',
    description:
      'With `username` and `password`: a ticket (also set as the `StewardAuthCookie` cookie) and a `CSRFPreventionToken`; ' +
      'for users with a second factor, a challenge ticket with `NeedTFA: 1` instead, answered by posting again with ' +
      '`tfa-challenge` (the challenge ticket) and `password` = `totp:<code>`, `recovery:<key>` or `webauthn:<assertion JSON>`. ' +
      'A valid ticket as `password` (or `renew` with the cookie) renews it. Failures answer after a fixed delay.',
    tags: ['access'],
    body: z.strictObject({
      username: userid,
      password: z.string().max(16384).optional(),
      'tfa-challenge': z.string().max(16384).optional(),
      renew: pveBool.optional(),
      'new-format': pveBool.optional(),
      'http-only': pveBool.optional(),
    }),
    output: TicketAnswerSchema,
    permission: { public: true },
    audit: false, // the login flow records its own, richer events (reason, source, user agent)
    handler: ({ deps, c, body }) => flowOf(accessOf(deps)).login(c, { username: body.username, password: body.password, 'tfa-challenge': body['tfa-challenge'], renew: body.renew }),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/access/ticket',
    summary: 'Log out: revokes the session server-side and clears the cookie',
    tags: ['access'],
    output: z.null(),
    permission: { authenticated: true, description: 'Ends the caller’s own session.' },
    audit: false,
    handler: async ({ deps, c }) => {
      await flowOf(accessOf(deps)).logout(c);
      return null;
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/access/permissions',
    summary: 'The caller’s effective privileges per ACL path',
    tags: ['access'],
    output: z.record(z.string(), z.record(z.string(), z.number())),
    permission: { authenticated: true, description: 'Only the caller’s own privileges.' },
    audit: false,
    handler: ({ deps, auth }) => accessOf(deps).permissions(auth),
  }),
  defineRoute({
    method: 'GET',
    path: '/access/users',
    summary: 'List users',
    tags: ['access'],
    output: z.array(UserSchema),
    permission: { path: '/access', privilege: 'audit' },
    audit: false,
    handler: ({ deps }) => accessOf(deps).users.list().map(userToWire),
  }),
  defineRoute({
    method: 'POST',
    path: '/access/users',
    summary: 'Create a user in the built-in realm',
    tags: ['access'],
    body: z.strictObject({ userid: steward_userid, password: newPassword, ...userFields }),
    output: z.null(),
    permission: { path: '/access', privilege: 'admin' },
    audit: 'user.create',
    status: 201,
    handler: async ({ deps, body, setAuditTarget }) => {
      setAuditTarget(body.userid);
      const ac = accessOf(deps);
      await ac.users.create({ ...body, enable: body.enable ?? true, expire: body.expire ?? 0 }, ac.nowS());
      await ac.acl.bumpGeneration();
      return null;
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/access/users/{userid}',
    summary: 'Read a user',
    tags: ['access'],
    params: USER_PARAM,
    output: UserSchema,
    permission: { path: '/access', privilege: 'audit', self: 'userid' },
    audit: false,
    handler: ({ deps, params }) => userToWire(accessOf(deps).users.require(params.userid)),
  }),
  defineRoute({
    method: 'PUT',
    path: '/access/users/{userid}',
    summary: 'Update a user (fields, enable, expiry, groups); `delete` clears optional fields',
    tags: ['access'],
    params: USER_PARAM,
    body: z.strictObject({
      ...userFields,
      delete: z.array(z.enum(['firstname', 'lastname', 'email', 'comment', 'groups'])).max(5).optional(),
      digest: digest.optional(),
    }),
    output: z.null(),
    permission: { path: '/access', privilege: 'admin' },
    audit: 'user.update',
    handler: async ({ deps, params, body }) => {
      const ac = accessOf(deps);
      const e = ac.users.require(params.userid);
      const { delete: del, digest: d, ...fields } = body;
      const next = { ...e.value, ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) };
      for (const k of del ?? []) {
        if (k === 'groups') next.groups = [];
        else delete next[k];
      }
      // Disabling a user or moving the expiry ends the running sessions too.
      if (fields.enable === false || fields.expire !== undefined) next['tickets-after'] = ac.nowS() + 1;
      await ac.users.users.update(params.userid, next, digestVersion(d));
      await ac.acl.bumpGeneration();
      return null;
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/access/users/{userid}',
    summary: 'Delete a user, with its tokens, second factors and ACL entries',
    tags: ['access'],
    params: USER_PARAM,
    query: z.strictObject({ digest: digest.optional() }),
    output: z.null(),
    permission: { path: '/access', privilege: 'admin' },
    audit: 'user.delete',
    handler: async ({ deps, params, query, auth }) => {
      const ac = accessOf(deps);
      if (params.userid === auth.userid) throw new ApiError('conflict', 'you cannot delete your own account');
      ac.users.require(params.userid);
      await ac.users.users.delete(params.userid, digestVersion(query.digest));
      for (const t of ac.tokens.listFor(params.userid)) {
        await ac.tokens.tokens.delete(t.key);
        await ac.tokens.deleteUsage(t.key);
        await ac.acl.removeSubject('token', t.key);
      }
      await ac.tfa.removeUser(params.userid);
      await ac.acl.removeSubject('user', params.userid);
      return null;
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/access/password',
    summary: 'Change a password: your own (with the current one), or any user’s as an admin',
    tags: ['access'],
    body: z.strictObject({ userid, password: newPassword, 'old-password': z.string().max(1024).optional(), 'confirmation-password': z.string().max(1024).optional() }),
    output: z.null(),
    permission: { authenticated: true, description: 'Your own password (the current one required); other users’ need Admin on /access. API tokens cannot change passwords.' },
    audit: 'user.password',
    handler: async ({ deps, body, auth, setAuditTarget }) => {
      setAuditTarget(body.userid);
      const ac = accessOf(deps);
      if (auth.kind === 'token') throw new ApiError('forbidden', 'API tokens cannot change passwords');
      const own = body.userid === auth.userid;
      if (!own && !ac.authorize(auth, '/access', 'admin')) throw new ApiError('forbidden', 'permission check failed (/access, admin)');
      // The caller proves it is them: their current password (own change) or their own password (admin).
      await ac.confirmPassword(auth.userid, body['old-password'] ?? body['confirmation-password'], own ? 'the current password is wrong' : 'your own password is wrong (confirmation-password)');
      ac.users.require(body.userid);
      await ac.users.setPassword(body.userid, body.password, ac.nowS());
      return null;
    },
  }),
];
