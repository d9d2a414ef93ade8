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
} as const satisfies Record<string, { doc: string; params: z.ZodType; result: z.ZodType }>;

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
