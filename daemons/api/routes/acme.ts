// /system/acme/…: ACME for steward-api's own certificate (Admin on /system, changes
// audited). Accounts never show their key; an order runs in the background and its
// state and log are read with GET /system/acme/order.
import { z } from 'zod';
import { ApiError } from '../../../shared/errors.ts';
import { digest, pveBool, safeId } from '../../../shared/formats.ts';
import { acmeOf, publicAccount } from '../acme/acme-service.ts';
import { RENEW_BEFORE_S } from '../acme/renewal.ts';
import { defineRoute } from '../framework/route.ts';
import type { Route } from '../framework/route.ts';
import { digestVersion, versionDigest } from '../store/store.ts';
import { actor } from './system.ts';

const ADMIN = { path: '/system', privilege: 'admin' } as const;

const directoryUrl = z.string().min(9).max(512).regex(/^https:\/\/[^\s/?#]+(\/\S*)?$/, 'not an https:// URL');
const dnsName = z.string().min(1).max(253).toLowerCase()
  .regex(/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'not a fully qualified domain name');
const NAME = z.strictObject({ name: safeId });

const AccountOut = z.strictObject({
  name: z.string(),
  directory: z.string(),
  contact: z.array(z.string()),
  'tos-agreed': z.boolean(),
  'terms-url': z.string().nullable(),
  url: z.string(),
  created: z.number().int(),
});

const SettingsOut = z.strictObject({
  account: z.string(),
  domains: z.array(z.string()),
  challenge: z.enum(['http-01', 'dns-01']),
  digest: z.string(),
}).nullable();

const JobOut = z.strictObject({
  id: z.string(),
  trigger: z.enum(['manual', 'renewal']),
  state: z.enum(['running', 'ok', 'error']),
  started: z.number().int(),
  finished: z.number().int().nullable(),
  domains: z.array(z.string()),
  log: z.array(z.strictObject({ time: z.number().int(), message: z.string() })),
  error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
  fingerprint: z.string().nullable(),
  notAfter: z.number().int().nullable(),
});

export const routes: Route[] = [
  defineRoute({
    method: 'GET',
    path: '/system/acme/accounts',
    summary: 'ACME accounts (directory, contact, terms agreed; never the key)',
    tags: ['system'],
    output: z.array(AccountOut),
    permission: ADMIN,
    audit: false,
    handler: ({ deps }) => acmeOf(deps).accounts().map(publicAccount),
  }),
  defineRoute({
    method: 'GET',
    path: '/system/acme/accounts/{name}',
    summary: 'One ACME account',
    tags: ['system'],
    params: NAME,
    output: AccountOut,
    permission: ADMIN,
    audit: false,
    handler: ({ deps, params }) => publicAccount(acmeOf(deps).account(params.name)),
  }),
  defineRoute({
    method: 'POST',
    path: '/system/acme/accounts',
    summary: "Register an ACME account with a CA (a new key, kept in Steward's store); the CA's terms must be agreed",
    tags: ['system'],
    body: z.strictObject({
      name: safeId,
      directory: directoryUrl,
      contact: z.array(z.email().max(254)).min(1).max(8),
      'tos-agreed': pveBool.optional(),
    }),
    output: AccountOut,
    permission: ADMIN,
    audit: 'system.acme.account.create',
    async handler({ deps, body, setAuditTarget }) {
      setAuditTarget(body.name);
      const a = await acmeOf(deps).createAccount({ name: body.name, directory: body.directory, contact: body.contact, tosAgreed: body['tos-agreed'] === true });
      return publicAccount(a);
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/system/acme/accounts/{name}',
    summary: 'Forget an ACME account (its key is deleted from the store; the CA keeps its record)',
    tags: ['system'],
    params: NAME,
    output: z.null(),
    permission: ADMIN,
    audit: 'system.acme.account.delete',
    async handler({ deps, params }) {
      await acmeOf(deps).deleteAccount(params.name);
      return null;
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/system/acme/tos',
    summary: "A CA's terms-of-service URL, read from its directory (null if it has none)",
    tags: ['system'],
    query: z.strictObject({ directory: directoryUrl }),
    output: z.string().nullable(),
    permission: ADMIN,
    audit: false,
    handler: ({ deps, query }) => acmeOf(deps).termsOfService(query.directory),
  }),
  defineRoute({
    method: 'GET',
    path: '/system/acme/settings',
    summary: "This host's ACME settings: account, domains, challenge type (null when not configured)",
    tags: ['system'],
    output: SettingsOut,
    permission: ADMIN,
    audit: false,
    handler({ deps }) {
      const svc = acmeOf(deps);
      const s = svc.settings();
      return s ? { ...s, digest: versionDigest(svc.settingsVersion() ?? 0) } : null;
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/system/acme/settings',
    summary: "Set this host's ACME account, domains (the certificate's names) and challenge type",
    tags: ['system'],
    body: z.strictObject({
      account: safeId,
      domains: z.array(dnsName).min(1).max(100),
      challenge: z.enum(['http-01', 'dns-01']).default('http-01'),
      digest: digest.optional(),
    }),
    output: z.null(),
    permission: ADMIN,
    audit: 'system.acme.settings',
    async handler({ deps, body }) {
      const domains = [...new Set(body.domains)];
      const wildcard = domains.find((d) => d.startsWith('*.'));
      if (wildcard && body.challenge !== 'dns-01') {
        throw new ApiError('acme_domain_rejected', `${wildcard}: wildcard names need the dns-01 challenge`, { errors: { domains: 'wildcard needs dns-01' } });
      }
      await acmeOf(deps).setSettings({ account: body.account, domains, challenge: body.challenge }, body.digest ? digestVersion(body.digest) : undefined);
      return null;
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/system/acme/order',
    summary: 'Order a certificate for the configured domains (background job; installed without a restart when issued)',
    tags: ['system'],
    body: z.strictObject({ domains: z.array(dnsName).min(1).max(100).optional() }),
    output: JobOut,
    permission: ADMIN,
    audit: 'system.acme.order',
    handler(ctx) {
      const job = acmeOf(ctx.deps).startOrder(actor(ctx), 'manual', ctx.body.domains);
      ctx.setAuditTarget(job.id);
      return job;
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/system/acme/order',
    summary: 'State and log of the running or last ACME order (kept across restarts; an order cut off by a stop reads as failed), null if none yet',
    tags: ['system'],
    output: JobOut.nullable(),
    permission: ADMIN,
    audit: false,
    handler: ({ deps }) => acmeOf(deps).job(),
  }),
  defineRoute({
    method: 'GET',
    path: '/system/acme/renewal',
    summary: 'The automatic renewal schedule: last check (epoch seconds) and its outcome, next planned check',
    tags: ['system'],
    output: z.strictObject({
      'last-check': z.number().int().nullable(),
      outcome: z.string().nullable(),
      'next-check': z.number().int().nullable(),
      'renew-before-days': z.number().int(),
    }),
    permission: ADMIN,
    audit: false,
    handler: ({ deps }) => {
      const r = acmeOf(deps).renewalState();
      return { 'last-check': r.lastCheck, outcome: r.outcome, 'next-check': r.nextCheck, 'renew-before-days': RENEW_BEFORE_S / 86_400 };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/system/acme/revoke',
    summary: 'Revoke the installed certificate at the CA that issued it (RFC 5280 reason code, default 0)',
    tags: ['system'],
    body: z.strictObject({ reason: z.coerce.number().int().min(0).max(10).default(0) }),
    output: z.strictObject({ fingerprint: z.string() }),
    permission: ADMIN,
    audit: 'system.acme.revoke',
    async handler({ deps, body, setAuditTarget }) {
      const r = await acmeOf(deps).revoke(body.reason);
      setAuditTarget(r.fingerprint);
      return r;
    },
  }),
];
