// steward.conf: a commented KEY=value file, parsed by util.parseEnv, validated by one
// schema that holds every default, and deep-frozen. Both daemons read it; only privd writes it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';

const csv = (item: z.ZodString) =>
  z
    .string()
    .max(4096)
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(item).max(64));

const seconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const absPath = z.string().min(1).max(1024).regex(/^\//, 'must be an absolute path');

export const ConfigSchema = z.strictObject({
  LISTEN_ADDRESS: z.string().max(64).default('::'),
  PORT: z.coerce.number().int().min(0).max(65535).default(443),
  DATA_DIR: absPath.default('/var/lib/steward'),
  CERT_FILE: absPath.default('/etc/steward/api.pem'),
  KEY_FILE: absPath.default('/etc/steward/api.key'),
  TICKET_KEY_FILE: absPath.default('/etc/steward/ticket.key'),
  CREDENTIAL_KEY_FILE: absPath.default('/etc/steward/credential.key'),
  PRIVD_SOCKET: absPath.default('/run/steward/privd.sock'),
  WEB_ROOT: absPath.default('/usr/share/steward/www'),
  TRUSTED_PROXIES: csv(z.string().max(64)).default([]),
  LOG_LEVEL: z.enum(['error', 'warn', 'notice', 'info', 'debug']).default('info'),
  SHUTDOWN_TIMEOUT: seconds(1, 300).default(10),
  POLL_CONCURRENCY: z.coerce.number().int().min(1).max(512).default(256),
  MAX_BODY_SIZE: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  // Host integration (read by steward-privd): the programs it runs, always by absolute path,
  // so tests point them at fixture scripts.
  APT_GET: absPath.default('/usr/bin/apt-get'),
  JOURNALCTL: absPath.default('/usr/bin/journalctl'),
  SYSTEMCTL: absPath.default('/usr/bin/systemctl'),
  /** Seconds `apt-get update` may run before privd stops it (the API waits a minute longer). */
  APT_UPDATE_TIMEOUT: seconds(1, 3600).default(600),
  /** Development only: privd signals the pid in this file instead of using systemctl. */
  API_PID_FILE: z.union([z.literal(''), absPath]).default(''),
  /** Where privd writes the listen address of steward-api.socket when it changes. */
  API_SOCKET_DROPIN: absPath.default('/etc/systemd/system/steward-api.socket.d/listen.conf'),
  /** Port of privd's temporary ACME http-01 responder. */
  ACME_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(80),
  /** dns-01: a program steward-privd runs (no shell) as `HOOK add|remove DOMAIN NAME VALUE`; empty: dns-01 unavailable. */
  ACME_DNS_HOOK: z.union([z.literal(''), absPath]).default(''),
  // Access control (docs/access-control.md says where each default comes from).
  LOGIN_FAILURE_DELAY_MS: z.coerce.number().int().min(0).max(10_000).default(3000),
  RATE_LIMIT_LOGIN: z.coerce.number().int().min(0).max(100_000).default(30),
  RATE_LIMIT_API: z.coerce.number().int().min(0).max(10_000_000).default(3000),
  LOGIN_BLOCK_FAILURES: z.coerce.number().int().min(0).max(10_000).default(10),
  LOGIN_BLOCK_WINDOW: seconds(1, 86_400).default(600),
  LOGIN_BLOCK_DURATION: seconds(1, 86_400 * 7).default(900),
  AUDIT_MAX_ENTRIES: z.coerce.number().int().min(1000).max(100_000_000).default(1_000_000),
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(400),
  WEBAUTHN_RP_ID: z.string().max(253).default(''),
  WEBAUTHN_ORIGIN: z.string().max(512).default(''),
});

export type Config = Readonly<z.output<typeof ConfigSchema>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[], file: string) {
    super(`${file}: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Validates parsed KEY=value pairs; every problem is reported, not just the first. */
export function parseConfig(text: string, file = 'steward.conf', overrides: Record<string, string> = {}): Config {
  const raw = { ...parseEnv(text), ...overrides };
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => {
      const key = i.path.join('.') || '(file)';
      return i.code === 'unrecognized_keys' ? `unknown key(s): ${i.keys.join(', ')}` : `${key}: ${i.message}`;
    });
    throw new ConfigError(problems, file);
  }
  return deepFreeze(result.data);
}

export const DEFAULT_CONFIG_FILE = '/etc/steward/steward.conf';

/** The config file: $STEWARD_CONFIG, else /etc/steward/steward.conf; a missing file means all defaults. */
export function configFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.STEWARD_CONFIG || DEFAULT_CONFIG_FILE;
}

export function loadConfig(file = configFile()): Config {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return parseConfig(text, file);
}

/** Digest of steward.conf's text, for optimistic concurrency on service.config. */
export const configDigest = (text: string): string => createHash('sha256').update(text).digest('hex');

/** For daemon start-up: the config, or every problem on stderr and exit status 1. */
export function loadConfigOrExit(file = configFile()): Config {
  try {
    return loadConfig(file);
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
