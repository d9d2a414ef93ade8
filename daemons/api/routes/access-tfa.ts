// /access/tfa: second factors (TOTP, WebAuthn, recovery keys), in PBS's API shape, and the
// admin unlock. Changing factors needs the caller's own password (as PBS asks).
import { z } from 'zod';
import { ApiError } from '../../../shared/errors.ts';
import { userid } from '../../../shared/formats.ts';
import { defineRoute } from '../framework/route.ts';
import type { Route } from '../framework/route.ts';
import type { AuthInfo } from '../framework/types.ts';
import { accessOf } from '../auth/index.ts';
import type { AccessControl } from '../auth/access-control.ts';
import { relyingParty } from '../auth/login.ts';

const EntrySchema = z.object({ type: z.enum(['totp', 'webauthn', 'recovery']), id: z.string(), description: z.string(), created: z.number().int(), enable: z.boolean() });
const USER = z.strictObject({ userid });

/** Factors are changed by their owner or an admin, logged in with a password (never a token), who re-enters it. */
async function confirmCaller(ac: AccessControl, auth: AuthInfo, password: string | undefined): Promise<void> {
  if (auth.kind === 'token') throw new ApiError('forbidden', 'API tokens cannot change second factors');
  await ac.confirmPassword(auth.userid, password, 'your password is needed (and was wrong) to change second factors');
}

export const routes: Route[] = [
  defineRoute({
    method: 'GET',
    path: '/access/tfa',
    summary: 'Every user’s second factors and lock state',
    tags: ['access'],
    output: z.array(z.object({ userid: z.string(), entries: z.array(EntrySchema), 'totp-locked': z.boolean(), 'tfa-locked-until': z.number().int().optional() })),
    permission: { path: '/access', privilege: 'audit' },
    audit: false,
    handler: ({ deps }) => {
      const ac = accessOf(deps);
      return ac.users.list().map(({ key }) => ({ userid: key, entries: ac.tfa.list(key), ...ac.tfa.lockState(key) }));
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/access/tfa/{userid}',
    summary: 'A user’s second factors (never their secrets)',
    tags: ['access'],
    params: USER,
    output: z.array(EntrySchema),
    permission: { path: '/access', privilege: 'audit', self: 'userid' },
    audit: false,
    handler: ({ deps, params }) => {
      const ac = accessOf(deps);
      ac.users.require(params.userid);
      return ac.tfa.list(params.userid);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/access/tfa/{userid}',
    summary: 'Add a second factor',
    description:
      '`type=totp` with `totp` (an otpauth:// URI) and `value` (the current code, proving the app is set up). ' +
      '`type=webauthn` without `value`: answers `challenge` (creation options as JSON text); post again with that `challenge` and `value` = the attestation JSON. ' +
      '`type=recovery`: answers `recovery`, ten one-time keys shown only now. `password` is the caller’s own password.',
    tags: ['access'],
    params: USER,
    body: z.strictObject({
      type: z.enum(['totp', 'webauthn', 'recovery']),
      description: z.string().max(255).optional(),
      totp: z.string().max(1024).optional(),
      value: z.string().max(16384).optional(),
      challenge: z.string().max(16384).optional(),
      password: z.string().max(1024).optional(),
    }),
    output: z.object({ id: z.string().optional(), challenge: z.string().optional(), recovery: z.array(z.string()).optional() }),
    permission: { path: '/access', privilege: 'admin', self: 'userid' },
    audit: 'tfa.add',
    handler: async ({ deps, params, body, auth, c, setAuditTarget }) => {
      const ac = accessOf(deps);
      setAuditTarget(`${params.userid} ${body.type}`);
      ac.users.require(params.userid);
      await confirmCaller(ac, auth, body.password);
      const description = body.description ?? '';
      if (body.type === 'totp') {
        if (!body.totp || !body.value) throw new ApiError('validation', 'totp and value are required', { errors: { ...(!body.totp ? { totp: 'required' } : {}), ...(!body.value ? { value: 'required' } : {}) } });
        return { id: await ac.tfa.addTotp(params.userid, description, body.totp, body.value.trim()) };
      }
      if (body.type === 'webauthn') {
        const rp = relyingParty(ac, c);
        if (!body.value) return { challenge: await ac.tfa.startWebauthn(params.userid, description, rp) };
        if (!body.challenge) throw new ApiError('validation', 'challenge is required with value', { errors: { challenge: 'required' } });
        return { id: await ac.tfa.finishWebauthn(params.userid, body.challenge, body.value, rp) };
      }
      return { recovery: await ac.tfa.addRecovery(params.userid) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/access/tfa/{userid}/{id}',
    summary: 'Remove a second factor (`recovery` removes the recovery keys)',
    tags: ['access'],
    params: z.strictObject({ userid, id: z.string().min(1).max(64) }),
    query: z.strictObject({ password: z.string().max(1024).optional() }),
    output: z.null(),
    permission: { path: '/access', privilege: 'admin', self: 'userid' },
    audit: 'tfa.delete',
    handler: async ({ deps, params, query, auth }) => {
      const ac = accessOf(deps);
      await confirmCaller(ac, auth, query.password);
      if (!(await ac.tfa.remove(params.userid, params.id))) throw new ApiError('not_found', `no second factor '${params.id}' for ${params.userid}`);
      return null;
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/access/users/{userid}/unlock-tfa',
    summary: 'Unlock a user’s TOTP and second factors after a lockout; answers whether something was locked',
    tags: ['access'],
    params: USER,
    output: z.boolean(),
    permission: { path: '/access', privilege: 'admin' },
    audit: 'tfa.unlock',
    handler: async ({ deps, params }) => {
      const ac = accessOf(deps);
      ac.users.require(params.userid);
      return ac.tfa.unlock(params.userid);
    },
  }),
];
