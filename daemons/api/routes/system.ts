// /system/…: this host, through steward-privd (Admin on /system, every call audited). The
// API reads what it may read itself (the certificate, steward.conf); every change goes to
// privd, which re-validates it.
import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import os from 'node:os';
import { z } from 'zod';
import { ApiError } from '../../../shared/errors.ts';
import { PRIVD_METHODS, STEWARD_UNITS } from '../../../shared/privd-methods.ts';
import type { PrivdActor } from '../../../shared/privd-methods.ts';
import { certificateInfo, checkCertificate } from '../../common/cert-check.ts';
import { configDigest, configFile, parseConfig } from '../../common/config.ts';
import { intParam } from '../../../shared/formats.ts';
import { defineRoute } from '../framework/route.ts';
import { HOST_TASK_PREFIX, hostTasksOf } from '../tasks/host-tasks.ts';
import type { HostTaskRecord } from '../tasks/host-tasks.ts';
import type { HandlerContext } from '../framework/route.ts';

const ADMIN = { path: '/system', privilege: 'admin' } as const;
const AUDIT = { path: '/system', privilege: 'audit' } as const;

export type Ctx = Pick<HandlerContext<undefined, undefined, undefined, typeof ADMIN>, 'auth' | 'c'>;
export const actor = ({ auth, c }: Ctx): PrivdActor => ({ user: auth.tokenid ?? auth.userid, ip: c.get('clientIp'), requestId: c.get('requestId') });

const CertificateSchema = z.strictObject({
  subject: z.string(),
  issuer: z.string(),
  san: z.array(z.string()),
  notBefore: z.number().int(),
  notAfter: z.number().int(),
  fingerprint: z.string(),
  serial: z.string(),
  pem: z.string(),
});

const ConfigOut = z.strictObject({
  'listen-address': z.string(),
  port: z.number().int(),
  'trusted-proxies': z.array(z.string()),
  digest: z.string(),
});

const HostTaskOut = z.strictObject({
  id: z.string(),
  upid: z.string(),
  node: z.string(),
  type: z.string(),
  user: z.string(),
  starttime: z.number().int(),
  endtime: z.number().int().optional(),
  status: z.string(),
});
const hostTaskOut = (t: HostTaskRecord): z.input<typeof HostTaskOut> => ({
  id: t.id, upid: t.upid, node: t.node, type: t.type, user: t.user, starttime: t.starttime, status: t.status, ...(t.endtime !== undefined ? { endtime: t.endtime } : {}),
});
const TaskParams = z.strictObject({ upid: z.string().min(10).max(512) });

/** A host task by its id as POST returned it (`steward!UPID:…`) or the bare UPID. */
function hostTask(deps: Parameters<typeof hostTasksOf>[0], raw: string): HostTaskRecord {
  const id = raw.startsWith(HOST_TASK_PREFIX) ? raw : `${HOST_TASK_PREFIX}${raw}`;
  const t = hostTasksOf(deps).get(id);
  if (!t) throw new ApiError('not_found', `no task ${raw} on this host`);
  return t;
}

const pemText = (max: number) => z.string().min(1).max(max);

export const routes = [
  defineRoute({
    method: 'GET',
    path: '/system/status',
    summary: "This host's status (hostname, kernel, OS, uptime, memory), read by the root daemon",
    tags: ['system'],
    output: PRIVD_METHODS['system.info'].result,
    permission: AUDIT,
    audit: false,
    handler: (ctx) => ctx.deps.privd.call('system.info', {}, actor(ctx)),
  }),
  defineRoute({
    method: 'GET',
    path: '/system/certificates',
    summary: 'The TLS certificate steward-api serves: subject, SANs, issuer, validity, SHA-256 fingerprint',
    tags: ['system'],
    output: CertificateSchema,
    permission: AUDIT,
    audit: false,
    async handler({ deps }) {
      const pem = await readFile(deps.config.CERT_FILE, 'utf8');
      return { ...certificateInfo(new X509Certificate(pem)), pem };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/system/certificates',
    summary: 'Upload a certificate chain (server certificate first) and its key; installed by privd and reloaded without a restart',
    tags: ['system'],
    body: z.strictObject({ certificates: pemText(64 * 1024), key: pemText(32 * 1024) }),
    output: z.strictObject({ fingerprint: z.string(), notAfter: z.number().int(), warnings: z.array(z.string()), api: z.string() }),
    permission: ADMIN,
    audit: 'system.certificate.upload',
    async handler(ctx) {
      const { certificates, key } = ctx.body;
      const { warnings } = checkCertificate(certificates, key, { hostnames: [os.hostname()] });
      const r = await ctx.deps.privd.call('cert.install', { certificates, key }, actor(ctx));
      ctx.setAuditTarget(r.fingerprint);
      return { ...r, warnings };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/system/updates',
    summary: 'Packages of this host with an upgrade (current and candidate version, security flag)',
    tags: ['system'],
    output: PRIVD_METHODS['apt.upgradable'].result,
    permission: ADMIN,
    audit: 'system.updates.list',
    handler: (ctx) => ctx.deps.privd.call('apt.upgradable', {}, actor(ctx), 150_000),
  }),
  defineRoute({
    method: 'POST',
    path: '/system/updates',
    summary: 'Refresh the package lists (apt-get update) as a host task; returns its task id (steward!UPID:…) at once — follow it under /system/tasks',
    tags: ['system'],
    body: z.strictObject({}),
    output: z.string(),
    permission: ADMIN,
    audit: 'system.updates.refresh',
    async handler(ctx) {
      const { deps } = ctx;
      const who = actor(ctx);
      // privd stops apt-get after APT_UPDATE_TIMEOUT; the API waits a minute longer for its answer.
      const timeoutMs = (deps.config.APT_UPDATE_TIMEOUT + 60) * 1000;
      const task = await hostTasksOf(deps).start('aptupdate', ctx.auth, async (run) => {
        const r = await deps.privd.call('apt.update', {}, who, timeoutMs, (line) => run.log(line));
        if (!r.ok) throw new Error(`apt-get update failed (exit code ${r.exitCode ?? 'none'})`);
      });
      ctx.setAuditTarget(task.id);
      return task.id;
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/system/updates/changelog',
    summary: 'The changelog of one package',
    tags: ['system'],
    query: z.strictObject({ package: z.string().min(2).max(128).regex(/^[a-z0-9][a-z0-9+.-]+$/, 'not a Debian package name') }),
    output: PRIVD_METHODS['apt.changelog'].result,
    permission: ADMIN,
    audit: 'system.updates.changelog',
    handler: (ctx) => ctx.deps.privd.call('apt.changelog', { package: ctx.query.package }, actor(ctx), 90_000),
  }),
  defineRoute({
    method: 'GET',
    path: '/system/config',
    summary: 'Listen address, port and trusted proxies from steward.conf, with its digest',
    tags: ['system'],
    output: ConfigOut,
    permission: ADMIN,
    audit: 'system.config.read',
    async handler() {
      const text = await readFile(configFile(), 'utf8').catch(() => '');
      const c = parseConfig(text);
      return { 'listen-address': c.LISTEN_ADDRESS, port: c.PORT, 'trusted-proxies': [...c.TRUSTED_PROXIES], digest: configDigest(text) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/system/config',
    summary: 'Change listen address, port or trusted proxies; steward-api reloads (proxies) or restarts on the new socket (address, port)',
    tags: ['system'],
    body: z.strictObject({
      'listen-address': z.string().max(64).optional(),
      port: z.coerce.number().int().min(1).max(65535).optional(),
      'trusted-proxies': z.array(z.string().max(64)).max(64).optional(),
      digest: z.string().max(64).optional(),
    }),
    output: PRIVD_METHODS['service.config'].result,
    permission: ADMIN,
    audit: 'system.config.update',
    async handler(ctx) {
      const parsed = PRIVD_METHODS['service.config'].params.safeParse(ctx.body);
      if (!parsed.success) {
        const errors = Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.') || '(body)', i.message]));
        throw new ApiError('validation', `invalid settings: ${Object.entries(errors).map(([k, v]) => `${k}: ${v}`).join('; ')}`, { errors });
      }
      return ctx.deps.privd.call('service.config', parsed.data, actor(ctx));
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/system/services',
    summary: "State of Steward's systemd units",
    tags: ['system'],
    output: PRIVD_METHODS['service.status'].result,
    permission: ADMIN,
    audit: 'system.services.read',
    handler: (ctx) => ctx.deps.privd.call('service.status', {}, actor(ctx)),
  }),
  defineRoute({
    method: 'GET',
    path: '/system/journal',
    summary: "Newest journal entries of Steward's own units",
    tags: ['system'],
    query: z.strictObject({
      unit: z.enum(STEWARD_UNITS).optional(),
      lines: z.coerce.number().int().min(1).max(2000).default(200),
      since: z.coerce.number().int().nonnegative().optional(),
      priority: z.coerce.number().int().min(0).max(7).optional(),
    }),
    output: PRIVD_METHODS['journal.read'].result,
    permission: ADMIN,
    audit: 'system.journal.read',
    handler: (ctx) => {
      const { unit, lines, since, priority } = ctx.query;
      return ctx.deps.privd.call('journal.read', { lines, ...(unit ? { units: [unit] } : {}), ...(since !== undefined ? { since } : {}), ...(priority !== undefined ? { priority } : {}) }, actor(ctx));
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/system/tasks',
    summary: 'Tasks run on this host (apt-get update), newest first; the last 100 are kept',
    tags: ['system', 'tasks'],
    query: z.strictObject({
      status: z.enum(['running', 'ok', 'error']).optional(),
      type: z.string().max(64).optional(),
      start: intParam(0, 1_000_000).default(0),
      limit: intParam(1, 1000).default(50),
    }),
    output: z.strictObject({ total: z.number().int(), tasks: z.array(HostTaskOut) }),
    permission: ADMIN,
    audit: false,
    handler: ({ deps, query }) => {
      const tasks = hostTasksOf(deps).list().filter((t) =>
        (!query.type || t.type === query.type) &&
        (!query.status || (query.status === 'running' ? t.status === 'running' : query.status === 'ok' ? t.status === 'OK' : t.status !== 'running' && t.status !== 'OK')));
      return { total: tasks.length, tasks: tasks.slice(query.start, query.start + query.limit).map(hostTaskOut) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/system/tasks/{upid}/status',
    summary: "A host task's status in Proxmox's shape: status running|stopped, exitstatus once stopped",
    tags: ['system', 'tasks'],
    params: TaskParams,
    output: z.strictObject({
      id: z.string(), upid: z.string(), node: z.string(), type: z.string(), user: z.string(), starttime: z.number().int(),
      status: z.enum(['running', 'stopped']), exitstatus: z.string().optional(), endtime: z.number().int().optional(),
    }),
    permission: ADMIN,
    audit: false,
    handler: ({ deps, params }) => {
      const t = hostTask(deps, params.upid);
      return {
        id: t.id, upid: t.upid, node: t.node, type: t.type, user: t.user, starttime: t.starttime,
        ...(t.status === 'running' ? { status: 'running' as const } : { status: 'stopped' as const, exitstatus: t.status, ...(t.endtime !== undefined ? { endtime: t.endtime } : {}) }),
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/system/tasks/{upid}/log',
    summary: "A host task's log lines, paged (start, limit) like Proxmox's; follow a running task by asking again from the next line",
    tags: ['system', 'tasks'],
    params: TaskParams,
    query: z.strictObject({ start: intParam(0, 10_000_000).default(0), limit: intParam(1, 5000).default(500) }),
    output: z.array(z.strictObject({ n: z.number().int(), t: z.string() })),
    permission: ADMIN,
    audit: false,
    handler: ({ deps, params, query }) => hostTasksOf(deps).logLines(hostTask(deps, params.upid).id, query.start, query.limit),
  }),
];
