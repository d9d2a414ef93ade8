// Wire schemas of remotes (DESIGN §5): what the API accepts when adding or changing a
// remote, and what it returns — never a credential's secret (RemoteSchema carries only the
// credential's name, kind and user/token id, like PDM's RemoteWithoutPassword).
import { z } from 'zod';
import { comment, digest, fingerprint, hostname, port, pveBool, safeId, tokenid, userid } from './formats.ts';

export const remoteType = z.enum(['pve', 'pbs']);
export type RemoteType = z.infer<typeof remoteType>;

/** The port Proxmox listens on when an endpoint does not say. */
export const DEFAULT_PORT: Record<RemoteType, number> = { pve: 8006, pbs: 8007 };

export const MAX_ENDPOINTS = 32;
export const MAX_CREDENTIALS = 16;

/** Poll intervals in seconds: resources every minute; heavy items (updates, subscription, backups) 1–30 min. */
export const POLL_INTERVAL = { min: 10, max: 3600, default: 60 } as const;
export const SLOW_INTERVAL = { min: 60, max: 1800, default: 900 } as const;

const credentialName = z.string().min(1).max(32).regex(/^[A-Za-z][A-Za-z0-9._-]*$/, 'must start with a letter; letters, digits, ".", "_", "-"');

/**
 * `key=value,key=value` (Proxmox property strings), so form-encoded clients can send
 * endpoints as `endpoints=host=10.0.0.1,port=8006,fingerprint=AA:…`.
 */
export function parsePropertyString(s: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of s.split(',')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    if (eq < 0) out.host ??= part;
    else out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** One item or a list (a form body with a single `endpoints=` value arrives as a string). */
function oneOrMany<T extends z.ZodType>(item: T, max: number) {
  return z.union([z.array(item).min(1).max(max), item]).transform((v) => (Array.isArray(v) ? v : [v]) as z.output<T>[]);
}

export const EndpointObject = z.strictObject({
  host: hostname,
  port: port.optional(),
  /** Pinned SHA-256 of the certificate; absent: trust the system CAs (a publicly signed certificate). */
  fingerprint: fingerprint.optional(),
});
/** An endpoint object, or its property-string form. */
export const EndpointInput = z.union([z.string().max(1024).transform(parsePropertyString).pipe(EndpointObject), EndpointObject]);
export type EndpointInput = z.output<typeof EndpointObject>;

export const Endpoint = z.object({
  host: z.string(),
  port: z.number().int(),
  fingerprint: z.string().optional(),
});
export type Endpoint = z.infer<typeof Endpoint>;

export const TokenCredentialInput = z.strictObject({
  name: credentialName,
  kind: z.literal('token'),
  tokenid,
  /** Omitted on update: keep the stored secret of the credential with this name. */
  secret: z.string().min(1).max(512).optional(),
  comment: comment.optional(),
});
export const PasswordCredentialInput = z.strictObject({
  name: credentialName,
  kind: z.literal('password'),
  username: userid,
  password: z.string().min(1).max(1024).optional(),
  comment: comment.optional(),
});
export const CredentialInput = z.discriminatedUnion('kind', [TokenCredentialInput, PasswordCredentialInput]);
export type CredentialInput = z.output<typeof CredentialInput>;

/** A credential as the API shows it: who it authenticates as, never the secret. */
export const Credential = z.object({
  name: z.string(),
  kind: z.enum(['token', 'password']),
  tokenid: z.string().optional(),
  username: z.string().optional(),
  comment: z.string().optional(),
});
export type Credential = z.infer<typeof Credential>;

const remoteSettings = {
  'poll-interval': z.coerce.number().int().min(POLL_INTERVAL.min).max(POLL_INTERVAL.max),
  'slow-interval': z.coerce.number().int().min(SLOW_INTERVAL.min).max(SLOW_INTERVAL.max),
  enabled: pveBool,
  comment,
};

export const RemoteCreateSchema = z.strictObject({
  id: safeId,
  type: remoteType,
  endpoints: oneOrMany(EndpointInput, MAX_ENDPOINTS),
  credentials: z.array(CredentialInput).min(1).max(MAX_CREDENTIALS),
  'poll-interval': remoteSettings['poll-interval'].optional(),
  'slow-interval': remoteSettings['slow-interval'].optional(),
  enabled: remoteSettings.enabled.optional(),
  comment: comment.optional(),
});
export type RemoteCreate = z.output<typeof RemoteCreateSchema>;

const deletable = z.enum(['comment', 'poll-interval', 'slow-interval']);
export const RemoteUpdateSchema = z.strictObject({
  endpoints: oneOrMany(EndpointInput, MAX_ENDPOINTS).optional(),
  credentials: z.array(CredentialInput).min(1).max(MAX_CREDENTIALS).optional(),
  'poll-interval': remoteSettings['poll-interval'].optional(),
  'slow-interval': remoteSettings['slow-interval'].optional(),
  enabled: remoteSettings.enabled.optional(),
  comment: comment.optional(),
  delete: oneOrMany(deletable, 3).optional(),
  digest: digest.optional(),
});
export type RemoteUpdate = z.output<typeof RemoteUpdateSchema>;

export const RemoteSchema = z.object({
  id: z.string(),
  type: remoteType,
  endpoints: z.array(Endpoint),
  credentials: z.array(Credential),
  'poll-interval': z.number().int(),
  'slow-interval': z.number().int(),
  enabled: z.boolean(),
  comment: z.string().optional(),
  digest: z.string(),
});
export type Remote = z.infer<typeof RemoteSchema>;

/** What probing a host's TLS shows the admin before anything is trusted. */
export const CertificateInfo = z.object({
  subject: z.string(),
  issuer: z.string(),
  fingerprint: z.string(),
  'not-before': z.string(),
  'not-after': z.string(),
  san: z.string().optional(),
});

export const ProbeTlsResult = z.object({
  host: z.string(),
  port: z.number().int(),
  fingerprint: z.string(),
  /** Whether the system CAs trust the chain (then pinning is optional). */
  trusted: z.boolean(),
  'trust-error': z.string().optional(),
  chain: z.array(CertificateInfo),
  /** Guessed from the login page, without credentials: 'pve', 'pbs' or absent. */
  product: remoteType.optional(),
  version: z.string().optional(),
});

export const ScanNode = z.object({
  name: z.string(),
  host: z.string(),
  port: z.number().int(),
  fingerprint: z.string().optional(),
  online: z.boolean(),
  error: z.string().optional(),
});

export const PrivilegeCheck = z.object({
  feature: z.string(),
  path: z.string(),
  privileges: z.array(z.string()),
  granted: z.boolean(),
});

export const ScanResult = z.object({
  type: remoteType,
  version: z.string(),
  release: z.string().optional(),
  cluster: z.string().optional(),
  nodes: z.array(ScanNode),
  /** The discovered nodes as endpoints, ready for `POST /remotes`. */
  endpoints: z.array(Endpoint),
  privileges: z.array(PrivilegeCheck),
  warnings: z.array(z.string()),
});

export const ProbeTlsBody = z.strictObject({
  host: hostname,
  port: port.optional(),
  /** Picks the default port when none is given. */
  type: remoteType.optional(),
});

export const ScanBody = z.strictObject({
  type: remoteType,
  host: hostname,
  port: port.optional(),
  /** The fingerprint the admin accepted from probe-tls; absent: the system CAs must trust the host. */
  fingerprint: fingerprint.optional(),
  credential: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('token'), tokenid, secret: z.string().min(1).max(512) }),
    z.strictObject({ kind: z.literal('password'), username: userid, password: z.string().min(1).max(1024) }),
  ]),
});
