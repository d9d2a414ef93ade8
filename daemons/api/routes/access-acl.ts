// /access/acl, /access/roles, /access/audit and /access/settings (IP allowlist, require TFA).
import { z } from 'zod';
import { ApiError } from '../../../shared/errors.ts';
import { digest, intParam, pveBool, tokenid as tokenidFormat, userid as useridFormat } from '../../../shared/formats.ts';
import { defineRoute } from '../framework/route.ts';
import type { Route } from '../framework/route.ts';
import { accessOf } from '../auth/index.ts';
import { aclPath, evaluate, ROLES } from '../auth/acl.ts';
import type { AclEntry } from '../auth/acl.ts';
import { AuditRecordSchema } from '../auth/audit-log.ts';
import { cidrText, CidrSet, parseCidr } from '../auth/network.ts';
import { AccessSettingsSchema } from '../auth/settings.ts';
import { groupName } from '../auth/users.ts';
import type { AccessControl } from '../auth/access-control.ts';
import { digestVersion, versionDigest } from '../store/store.ts';

const AclWire = z.object({ path: z.string(), ugid: z.string(), type: z.enum(['user', 'token', 'group']), roleid: z.enum(ROLES), propagate: z.boolean() });

/** Refuses a change that would leave nobody (no enabled user) with Admin on `/`. */
function keepsAnAdmin(ac: AccessControl, entries: AclEntry[]): boolean {
  const byPath = new Map<string, AclEntry[]>();
  for (const e of entries) byPath.set(e.path, [...(byPath.get(e.path) ?? []), e]);
  return ac.users.list().some(({ value: u }) => u.enable && evaluate(byPath, { type: 'user', id: u.userid, groups: u.groups }, '/').role === 'Admin');
}

export const routes: Route[] = [
  defineRoute({
    method: 'GET',
    path: '/access/acl',
    summary: 'List ACL entries',
    tags: ['access'],
    query: z.strictObject({ path: z.string().max(256).optional(), exact: pveBool.optional() }),
    output: z.array(AclWire),
    permission: { path: '/access', privilege: 'audit' },
    audit: false,
    handler: ({ deps, query }) =>
      accessOf(deps).acl.list().filter((e) => !query.path || (query.exact ? e.path === query.path : e.path === query.path || e.path.startsWith(`${query.path === '/' ? '' : query.path}/`))),
  }),
  defineRoute({
    method: 'PUT',
    path: '/access/acl',
    summary: 'Grant (or with `delete`, remove) a role on a path for a user, token (`auth-id`) or group of users (`group`)',
    tags: ['access'],
    body: z.strictObject({
      path: aclPath,
      role: z.enum(ROLES),
      'auth-id': z.union([tokenidFormat, useridFormat]).optional(),
      group: groupName.optional(),
      propagate: pveBool.optional(),
      delete: pveBool.optional(),
      digest: digest.optional(),
    }),
    output: z.null(),
    permission: { path: '/access', privilege: 'admin' },
    audit: 'acl.update',
    handler: async ({ deps, body, setAuditTarget }) => {
      const ac = accessOf(deps);
      if ((body['auth-id'] === undefined) === (body.group === undefined)) {
        throw new ApiError('validation', 'give exactly one of auth-id (a user or token) and group', { errors: { 'auth-id': 'exactly one of auth-id and group' } });
      }
      if (body.digest !== undefined && digestVersion(body.digest) !== ac.acl.generation()) throw new ApiError('conflict', 'the ACL changed since it was read; reload and try again');
      const ugid = (body['auth-id'] ?? body.group)!;
      const type = body.group !== undefined ? 'group' : ugid.includes('!') ? 'token' : 'user';
      if (type === 'user' && !ac.users.get(ugid)) throw new ApiError('validation', `no such user '${ugid}'`, { errors: { 'auth-id': 'no such user' } });
      if (type === 'token' && !ac.tokens.get(ugid)) throw new ApiError('validation', `no such token '${ugid}'`, { errors: { 'auth-id': 'no such token' } });
      setAuditTarget(`${body.path} ${type}:${ugid} ${body.delete ? '-' : '+'}${body.role}`);
      const others = ac.acl.list().filter((e) => !(e.path === body.path && e.type === type && e.ugid === ugid));
      const entry: AclEntry = { path: body.path, type, ugid, roleid: body.role, propagate: body.propagate ?? true };
      if (!keepsAnAdmin(ac, body.delete ? others : [...others, entry])) {
        throw new ApiError('conflict', 'this change would leave no enabled user with Admin on /; grant it to someone else first');
      }
      if (body.delete) {
        const cur = ac.acl.list().find((e) => e.path === body.path && e.type === type && e.ugid === ugid && e.roleid === body.role);
        if (!cur) throw new ApiError('not_found', `no ${body.role} entry for ${ugid} on ${body.path}`);
        await ac.acl.remove(body.path, type, ugid);
      } else {
        await ac.acl.set(entry);
      }
      return null;
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/access/roles',
    summary: 'The roles and what they allow',
    tags: ['access'],
    output: z.array(z.object({ roleid: z.enum(ROLES), privs: z.string(), comment: z.string() })),
    permission: { authenticated: true, description: 'The fixed list of roles.' },
    audit: false,
    handler: () => [
      { roleid: 'NoAccess' as const, privs: '', comment: 'Cuts a subtree: nothing below this path, whatever a parent grants.' },
      { roleid: 'Audit' as const, privs: 'audit', comment: 'Read only (GET).' },
      { roleid: 'Manage' as const, privs: 'audit,manage', comment: 'Audit plus state changes of resources: start, stop, shutdown, reboot, migrate. Never configuration.' },
      { roleid: 'Admin' as const, privs: 'audit,manage,admin', comment: 'Everything.' },
    ],
  }),
  defineRoute({
    method: 'GET',
    path: '/access/audit',
    summary: 'The audit log, newest first, with filters and paging',
    tags: ['access'],
    query: z.strictObject({
      since: intParam(0, 2 ** 40).optional(),
      until: intParam(0, 2 ** 40).optional(),
      user: z.string().max(97).optional(),
      action: z.string().max(64).optional(),
      result: z.enum(['ok', 'error', 'denied']).optional(),
      start: intParam(0, 10_000_000).optional(),
      limit: intParam(1, 1000).optional(),
    }),
    output: z.array(AuditRecordSchema),
    permission: { path: '/access', privilege: 'audit' },
    audit: false,
    handler: ({ deps, query }) =>
      accessOf(deps).auditLog.list({
        ...query,
        since: query.since !== undefined ? query.since * 1000 : undefined,
        until: query.until !== undefined ? query.until * 1000 + 999 : undefined,
      }),
  }),
  defineRoute({
    method: 'GET',
    path: '/access/settings',
    summary: 'Access settings: the IP allowlist and whether every user needs a second factor',
    tags: ['access'],
    output: AccessSettingsSchema,
    permission: { path: '/access', privilege: 'audit' },
    audit: false,
    handler: ({ deps }) => {
      const s = accessOf(deps).settings.get();
      return { ...s.value, digest: versionDigest(s.version) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/access/settings',
    summary: 'Change access settings (IP allowlist as CIDRs, require TFA for everyone)',
    description: 'An empty allowlist lets every address in. A list that would lock out the address making the change is refused.',
    tags: ['access'],
    body: z.strictObject({
      allowlist: z.array(z.string().max(64)).max(256).optional(),
      'tfa-required': pveBool.optional(),
      digest: digest.optional(),
    }),
    output: z.null(),
    permission: { path: '/access', privilege: 'admin' },
    audit: 'settings.update',
    handler: async ({ deps, body, c }) => {
      const ac = accessOf(deps);
      const patch: { allowlist?: string[]; 'tfa-required'?: boolean } = {};
      if (body.allowlist) {
        const parsed = body.allowlist.map((t) => ({ t, c: parseCidr(t) }));
        const bad = parsed.filter((p) => !p.c).map((p) => p.t);
        if (bad.length) throw new ApiError('validation', `not an address or CIDR: ${bad.join(', ')}`.slice(0, 500), { errors: { allowlist: 'not an address or CIDR' } });
        patch.allowlist = [...new Set(parsed.map((p) => cidrText(p.c!)))];
        if (patch.allowlist.length && !new CidrSet(patch.allowlist).has(c.get('clientIp'))) {
          throw new ApiError('validation', `this allowlist would lock out your own address ${c.get('clientIp')}`, { errors: { allowlist: 'does not include your address' } });
        }
      }
      if (body['tfa-required'] !== undefined) patch['tfa-required'] = body['tfa-required'];
      await ac.settings.update(patch, digestVersion(body.digest));
      return null;
    },
  }),
];
