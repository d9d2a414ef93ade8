// The closed table of methods steward-privd (root) offers to steward-api over its UNIX socket.
// Both sides validate against these schemas: the API before sending, privd again on receipt,
// and the API checks the result. Adding a method means adding it here and one handler file
// under daemons/priv/methods/ (a test checks that the two lists are equal).
import { z } from 'zod';

/** Who asked, passed along by the API for privd's audit line (never trusted for authorisation). */
export const privdActor = z.strictObject({
  user: z.string().max(128),
  ip: z.string().max(64).optional(),
  requestId: z.string().max(64).optional(),
});
export type PrivdActor = z.infer<typeof privdActor>;

/** Largest command output a method returns. */
export const OUTPUT_MAX = 256 * 1024;

/** The units steward-privd reports on and reads the journal of; nothing else. */
export const STEWARD_UNITS = ['steward-api.service', 'steward-api.socket', 'steward-privd.service', 'steward-privd.socket'] as const;

/** What happened to steward-api after a change: SIGHUP'd, restarting (new socket), or nothing to signal. */
const apiAction = z.enum(['reloaded', 'restarting', 'restart-required', 'unchanged']);

const debPackageName = z.string().min(2).max(128).regex(/^[a-z0-9][a-z0-9+.-]+$/, 'not a Debian package name');
const debVersion = z.string().min(1).max(128).regex(/^[A-Za-z0-9.+~:-]+$/, 'not a Debian version');
/** A DNS name as the ACME order and the dns-01 hook see it (a leading wildcard label allowed). */
const dnsName = z.string().min(1).max(253).regex(/^(\*\.)?([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/, 'not a DNS name');
const acmeToken = z.string().min(16).max(256).regex(/^[A-Za-z0-9_-]+$/, 'not an ACME token');

/** An IP literal to listen on ('::' and '0.0.0.0' mean all addresses). */
const listenAddress = z.union([z.ipv4(), z.ipv6()]);

export const upgradablePackage = z.strictObject({
  package: debPackageName,
  current: debVersion.nullable(),
  candidate: debVersion,
  origin: z.string().max(256),
  arch: z.string().max(32),
  security: z.boolean(),
});

export const unitStatus = z.strictObject({
  unit: z.enum(STEWARD_UNITS),
  active: z.string().max(32),
  sub: z.string().max(32),
  pid: z.number().int().nonnegative(),
  since: z.number().int().nullable(),
  restarts: z.number().int().nonnegative(),
});

export const journalEntry = z.strictObject({
  time: z.number(),
  unit: z.string().max(128),
  priority: z.number().int().min(0).max(7),
  message: z.string().max(8192),
});

export const PRIVD_METHODS = {
  'system.info': {
    doc: 'Host facts read from /proc and /etc/os-release: hostname, kernel, OS, uptime, memory, load.',
    params: z.strictObject({}),
    result: z.strictObject({
      hostname: z.string().max(253),
      kernel: z.strictObject({ sysname: z.string().max(64), release: z.string().max(256), version: z.string().max(256), machine: z.string().max(64) }),
      os: z.strictObject({ id: z.string().max(64), name: z.string().max(256), version: z.string().max(256), prettyName: z.string().max(256) }),
      uptime: z.number().nonnegative(),
      loadavg: z.array(z.number()).length(3),
      memory: z.strictObject({ total: z.number().int().nonnegative(), free: z.number().int().nonnegative(), available: z.number().int().nonnegative() }),
      cpus: z.number().int().positive(),
    }),
  },
  'cert.install': {
    doc: 'Validates a certificate chain + key, writes both atomically (key 0640 root:steward), then makes steward-api reload them.',
    params: z.strictObject({
      certificates: z.string().min(1).max(64 * 1024),
      key: z.string().min(1).max(32 * 1024),
    }),
    result: z.strictObject({ fingerprint: z.string().max(128), notAfter: z.number().int(), api: apiAction }),
  },
  'apt.update': {
    doc: 'Runs `apt-get update` (timeout APT_UPDATE_TIMEOUT, one run at a time), sends each output line as a `progress` notification while it runs, and returns its exit status and output.',
    progress: true,
    params: z.strictObject({}),
    result: z.strictObject({ ok: z.boolean(), exitCode: z.number().int().nullable(), output: z.string().max(OUTPUT_MAX) }),
  },
  'apt.upgradable': {
    doc: 'Packages with an upgrade, from a simulated `apt-get dist-upgrade`: current and candidate versions, origin, security flag.',
    params: z.strictObject({}),
    result: z.strictObject({ packages: z.array(upgradablePackage).max(20_000) }),
  },
  'apt.changelog': {
    doc: 'The changelog of one package (`apt-get changelog`), truncated to 256 KiB.',
    params: z.strictObject({ package: debPackageName }),
    result: z.strictObject({ package: debPackageName, text: z.string().max(OUTPUT_MAX), truncated: z.boolean() }),
  },
  'service.config': {
    doc: 'Changes listen address, port or trusted proxies in steward.conf (atomic, validated), then reloads or restarts steward-api.',
    params: z.strictObject({
      'listen-address': listenAddress.optional(),
      port: z.number().int().min(1).max(65535).optional(),
      'trusted-proxies': z.array(z.string().max(64)).max(64).optional(),
      /** sha256 of steward.conf as read by the caller; a mismatch is a conflict. */
      digest: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    }),
    result: z.strictObject({ changed: z.array(z.string().max(64)).max(8), api: apiAction, digest: z.string().max(64) }),
  },
  'service.status': {
    doc: "State of Steward's own systemd units (`systemctl show`).",
    params: z.strictObject({}),
    result: z.strictObject({ units: z.array(unitStatus).max(8) }),
  },
  'journal.read': {
    doc: "The newest entries of Steward's own units from the journal (bounded, filtered by unit, priority and time).",
    params: z.strictObject({
      units: z.array(z.enum(STEWARD_UNITS)).min(1).max(STEWARD_UNITS.length).default([...STEWARD_UNITS]),
      lines: z.number().int().min(1).max(2000).default(200),
      since: z.number().int().nonnegative().optional(),
      priority: z.number().int().min(0).max(7).optional(),
    }),
    result: z.strictObject({ entries: z.array(journalEntry).max(2000) }),
  },
  'acme.serve': {
    doc: 'Starts (or replaces the tokens of) the temporary ACME http-01 responder on ACME_HTTP_PORT; it stops by itself after 10 minutes.',
    params: z.strictObject({
      challenges: z.array(z.strictObject({ token: acmeToken, keyAuthorization: z.string().max(512).regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/) })).min(1).max(100),
    }),
    result: z.strictObject({ port: z.number().int() }),
  },
  'acme.dns': {
    doc: 'Runs the ACME_DNS_HOOK program with argv [add|remove, domain, record-name, value] to publish or remove a dns-01 TXT record.',
    params: z.strictObject({
      action: z.enum(['add', 'remove']),
      domain: dnsName,
      name: dnsName,
      value: z.string().min(16).max(128).regex(/^[A-Za-z0-9_-]+$/, 'not a dns-01 value'),
    }),
    result: z.strictObject({ ok: z.literal(true) }),
  },
  'acme.unserve': {
    doc: 'Stops the ACME http-01 responder.',
    params: z.strictObject({}),
    result: z.strictObject({ stopped: z.boolean() }),
  },
} as const satisfies Record<string, { doc: string; params: z.ZodType; result: z.ZodType; progress?: true }>;

/** Longest progress line privd sends (longer ones are cut), and most lines per call. */
export const PROGRESS_LINE_MAX = 1024;
export const PROGRESS_LINES_MAX = 10_000;

/**
 * A progress notification of a running call (JSON-RPC notification, no id of its own):
 * `{"jsonrpc":"2.0","method":"progress","params":{"call":<the call's id>,"line":"…"}}`.
 * Only methods marked `progress: true` send them.
 */
export const privdProgress = z.strictObject({
  call: z.union([z.number().int(), z.string().max(64)]),
  line: z.string().max(PROGRESS_LINE_MAX),
});

export function sendsProgress(method: PrivdMethod): boolean {
  return (PRIVD_METHODS[method] as { progress?: true }).progress === true;
}

export type PrivdMethod = keyof typeof PRIVD_METHODS;
export type PrivdParams<M extends PrivdMethod> = z.input<(typeof PRIVD_METHODS)[M]['params']>;
export type PrivdResult<M extends PrivdMethod> = z.output<(typeof PRIVD_METHODS)[M]['result']>;

export const PRIVD_METHOD_NAMES = Object.keys(PRIVD_METHODS) as PrivdMethod[];

export function isPrivdMethod(name: unknown): name is PrivdMethod {
  return typeof name === 'string' && Object.hasOwn(PRIVD_METHODS, name);
}

/** JSON-RPC 2.0 error codes used on the privd socket; domain errors carry our catalogue code in `data.code`. */
export const RPC_ERRORS = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  /** A method ran and failed for a domain reason; `data.code` is an ErrorCode. */
  domain: -32000,
} as const;

/** Largest JSON-RPC frame either side accepts (bytes, without the newline). */
export const PRIVD_MAX_FRAME = 1024 * 1024;
