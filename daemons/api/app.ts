// Assembles the hono application: middleware, every declared route, the OpenAPI document,
// the static UI, and one error handler that turns everything into the catalogue's shape.
import { Hono } from 'hono';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { ApiError } from '../../shared/errors.ts';
import type { ErrorBody } from '../../shared/errors.ts';
import type { AppDeps } from './deps.ts';
import { readBody, readQuery } from './framework/body.ts';
import { fillTemplate, honoPath, parseInput } from './framework/route.ts';
import type { Route } from './framework/route.ts';
import type { AppEnv, AuthInfo } from './framework/types.ts';
import { openApiDocument } from './framework/openapi.ts';
import { viewAllows } from './resources/resource-query.ts';
import { ROUTES } from './routes/index.ts';
import { mountStatic } from './static.ts';

export const API_PREFIX = '/api2/json';

// Request ids only correlate log lines; a per-process counter is enough and costs nothing.
const idPrefix = `${process.pid.toString(16)}${Date.now().toString(16).slice(-4)}`;
let requestCounter = 0;
function nextRequestId(): string {
  return `${idPrefix}${(++requestCounter).toString(16).padStart(6, '0')}`;
}

function errorResponse(c: Context<AppEnv>, err: ApiError): Response {
  const body: ErrorBody = { data: null, message: err.message, code: err.code, ...(err.errors ? { errors: err.errors } : {}) };
  for (const [k, v] of Object.entries(err.headers ?? {})) c.header(k, v);
  return c.json(body, err.status as 400);
}

/** The peer address as node saw it; the access layer may replace it (trusted proxies). */
function peerAddress(c: Context<AppEnv>): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  const addr = env?.incoming?.socket?.remoteAddress ?? '';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr || '127.0.0.1';
}

function routeHandler(route: Route, deps: AppDeps) {
  return async (c: Context<AppEnv>) => {
    const auth = c.get('auth');
    const perm = route.permission;
    if (!('public' in perm) && !auth) throw new ApiError('unauthenticated', 'authentication required');

    let auditTarget: string | undefined;
    const audit = async (result: 'ok' | 'error' | 'denied', err?: ApiError) => {
      if (!route.audit) return;
      await deps.access.audit({
        action: route.audit,
        auth,
        ip: c.get('clientIp'),
        userAgent: c.req.header('user-agent')?.slice(0, 256),
        target: auditTarget ?? c.req.path.slice(API_PREFIX.length),
        result,
        error: err?.message,
        code: err?.code,
        requestId: c.get('requestId'),
      });
    };

    // Everything after authentication is audited for audited routes, refusals included.
    let data: unknown;
    try {
      const params = route.params ? parseInput(route.params, c.req.param(), 'path parameters') : {};
      if ('path' in perm) {
        const aclPath = fillTemplate(perm.path, params);
        const self = perm.self !== undefined && auth?.kind === 'ticket' && (params as Record<string, unknown>)[perm.self] === auth.userid;
        const viaView = () => perm.viewResource !== undefined && viewAllows(deps, auth as AuthInfo, fillTemplate('{remote}', params), fillTemplate(perm.viewResource, params), perm.privilege);
        if (!self && !(await deps.access.authorize(auth as AuthInfo, aclPath, perm.privilege)) && !viaView()) {
          throw new ApiError('forbidden', `permission check failed (${aclPath}, ${perm.privilege})`);
        }
      }
      const takesBody = route.method === 'POST' || route.method === 'PUT';
      const query = parseInput(route.query ?? EMPTY, readQuery(c), 'query parameters');
      const body = takesBody ? parseInput(route.body ?? EMPTY, await readBody(c), 'parameters') : {};
      data = await route.handler({
        params, query, body, auth, c, deps,
        setAuditTarget: (t: string) => { auditTarget = t; },
      } as never);
    } catch (err) {
      const apiErr = err instanceof ApiError ? err : new ApiError('internal');
      await audit(apiErr.code === 'forbidden' ? 'denied' : 'error', apiErr);
      throw err;
    }
    const out = route.output.safeParse(data);
    if (!out.success) {
      c.get('log').error('route returned data outside its output schema', { route: `${route.method} ${route.path}`, issues: out.error.issues.slice(0, 5) });
      await audit('error', new ApiError('internal'));
      throw new ApiError('internal');
    }
    await audit('ok');
    return c.json({ data: out.data }, route.status ?? 200);
  };
}

const EMPTY = z.strictObject({});

export function createApp(deps: AppDeps, routes: readonly Route[] = ROUTES): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    const started = performance.now();
    const requestId = nextRequestId();
    c.set('requestId', requestId);
    c.set('clientIp', peerAddress(c));
    c.set('log', deps.log.child({ req: requestId }));
    c.set('auth', null);
    const logAccess = (status: number) => {
      const auth = c.get('auth');
      deps.log.info('access', {
        ip: c.get('clientIp'),
        method: c.req.method,
        path: c.req.path,
        status,
        ms: Math.round(performance.now() - started),
        user: auth ? (auth.tokenid ?? auth.userid) : '-',
        req: requestId,
      });
    };
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Strict-Transport-Security', 'max-age=63072000');
    if (deps.lifecycle.draining) {
      c.header('Connection', 'close');
      const res = errorResponse(c, new ApiError('unavailable', 'Steward is shutting down; retry shortly', { headers: { 'Retry-After': '5' } }));
      logAccess(res.status);
      return res;
    }
    deps.lifecycle.inFlight++;
    try {
      await next();
    } finally {
      deps.lifecycle.inFlight--;
      logAccess(c.res.status);
    }
  });

  // Only methods that carry a body pay for the limit (reading c.req.raw is not free).
  const limit = bodyLimit({
    maxSize: deps.config.MAX_BODY_SIZE,
    onError: () => {
      throw new ApiError('payload_too_large', `the request body exceeds ${deps.config.MAX_BODY_SIZE} bytes`);
    },
  });
  app.use(`${API_PREFIX}/*`, (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limit(c, next)));

  // Authentication runs for every API request, so a bad credential is refused even on public routes.
  app.use(`${API_PREFIX}/*`, async (c, next) => {
    c.header('Cache-Control', 'no-store');
    c.set('auth', await deps.access.authenticate(c));
    await next();
  });

  for (const route of routes) {
    app.on(route.method, API_PREFIX + honoPath(route.path), routeHandler(route, deps));
  }

  const doc = openApiDocument(routes);
  app.get('/api2/openapi.json', (c) => c.json(doc));

  mountStatic(app, deps.config.WEB_ROOT);

  const matchers = routes.map((r) => ({
    method: r.method,
    re: new RegExp('^' + API_PREFIX + r.path.replace(/\{[^}]+\}/g, '[^/]+') + '/?$'),
  }));
  app.notFound((c) => {
    const path = c.req.path;
    const allowed = matchers.filter((m) => m.re.test(path)).map((m) => m.method);
    if (allowed.length) {
      c.header('Allow', [...new Set(allowed)].join(', '));
      return errorResponse(c, new ApiError('method_not_allowed', `method ${c.req.method} not allowed on ${path}`));
    }
    return errorResponse(c, new ApiError('not_found', `no such path: ${path.slice(0, 200)}`));
  });

  app.onError((err, c) => {
    if (err instanceof ApiError) return errorResponse(c, err);
    c.get('log')?.error('internal error', { err, stack: (err as Error).stack?.split('\n').slice(0, 6).join(' | ') });
    return errorResponse(c, new ApiError('internal', `internal error (request ${c.get('requestId')})`));
  });

  return app;
}
