// One route-declaration framework: a route is declared once with method, path, input and
// output schemas, the permission it needs and whether it is audited. From the declaration
// come validation, the permission check, the {"data": …} envelope, auditing and OpenAPI.
import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError } from '../../../shared/errors.ts';
import type { AppEnv, AuthInfo, Permission } from './types.ts';
import type { AppDeps } from '../deps.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
type AnyObject = z.ZodObject<z.ZodRawShape>;
type Out<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;

export interface HandlerContext<P, Q, B, Perm extends Permission> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
  /** The caller; null only on public routes called without credentials. */
  auth: Perm extends { public: true } ? AuthInfo | null : AuthInfo;
  c: Context<AppEnv>;
  deps: AppDeps;
  /** Sets the audit target (e.g. the object's id) when the path alone does not say it. */
  setAuditTarget(target: string): void;
}

export interface RouteSpec<P extends AnyObject | undefined, Q extends AnyObject | undefined, B extends AnyObject | undefined, O extends z.ZodType, Perm extends Permission> {
  method: HttpMethod;
  /** Path under /api2/json, OpenAPI style: `/access/users/{userid}`. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  output: O;
  permission: Perm;
  /** Audit action name (e.g. `user.create`), or false for routes that are not audited. */
  audit: string | false;
  /** HTTP status for success (default 200). */
  status?: 200 | 201 | 202;
  handler(ctx: HandlerContext<P, Q, B, Perm>): Promise<z.input<O>> | z.input<O>;
}

export type Route = RouteSpec<AnyObject | undefined, AnyObject | undefined, AnyObject | undefined, z.ZodType, Permission>;

export function defineRoute<
  P extends AnyObject | undefined = undefined,
  Q extends AnyObject | undefined = undefined,
  B extends AnyObject | undefined = undefined,
  O extends z.ZodType = z.ZodType,
  Perm extends Permission = Permission,
>(spec: RouteSpec<P, Q, B, O, Perm>): Route {
  return spec as unknown as Route;
}

/** `/remotes/{remote}/x` → `/remotes/:remote/x` for hono. */
export function honoPath(path: string): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}

/** Fills `{param}` placeholders of an ACL path template. */
export function fillTemplate(template: string, params: Record<string, unknown>): string {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`ACL template ${template} needs parameter ${name}`);
    return String(v);
  });
}

export function zodFieldErrors(err: z.ZodError, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of err.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) out[prefix + [...issue.path, k].join('.')] = 'unknown parameter';
      continue;
    }
    const key = prefix + issue.path.join('.') || prefix.replace(/\.$/, '') || '(body)';
    out[key] ??= issue.message;
  }
  return out;
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const errors = zodFieldErrors(r.error);
    throw new ApiError('validation', `invalid ${where}: ${Object.entries(errors).map(([k, v]) => `${k}: ${v}`).join('; ')}`.slice(0, 1000), { errors });
  }
  return r.data;
}
