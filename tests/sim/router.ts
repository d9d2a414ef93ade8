// From an HTTP request to a handler and back, as pve-http-server and proxmox-rest-server do:
// find the operation, authenticate (token or ticket + CSRF), check the parameters against the
// schema extract (unknown ones refused), evaluate the schema's permission check, run the
// handler, and wrap the answer in the `{"data": …}` envelope or the product's error format.
import type { Operation } from './schema/extract.ts';
import { loadExtract, opKey } from './schema/extract.ts';
import { checkParams, validate } from './schema/validate.ts';
import type { Problem } from './schema/validate.ts';
import { Auth, checkPermissions, checkToken, makeCsrf, makeTicket, tokenFromHeader, verifyCsrf, verifyTicket } from './auth.ts';
import { HttpError } from './http-error.ts';
import type { NodeState, RemoteState, World } from './state.ts';
import { effectiveFault, faultSince, findNode, isOffline } from './state.ts';
import type { Product } from './types.ts';
import { shapeDiffers, undocumentedAllowed } from './schema/undocumented.ts';

export interface Ctx {
  world: World;
  remote: RemoteState;
  /** The node whose server received the request. */
  via: NodeState;
  method: string;
  path: string;
  params: Record<string, unknown>;
  auth: Auth | null;
  /** Result attributes beside `data` (PVE/PBS `total`, PBS `active`). */
  attrs: Record<string, unknown>;
  /** Extra response headers (Set-Cookie on login). */
  headers: Record<string, string>;
}

export type Handler = (ctx: Ctx) => unknown;
export type RouteTable = Record<string, Handler>;

export interface Answer {
  status: number;
  reason: string;
  body: string;
  headers: Record<string, string>;
  /** The request failed authentication (Proxmox delays those). */
  authFailed?: boolean;
}

interface Compiled {
  key: string;
  segments: string[];
  literal: number;
  handler: Handler;
  op: Operation;
}

export interface RawRequest {
  method: string;
  /** Path below /api2/json, without the query. */
  path: string;
  query: Record<string, string | string[]>;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

export interface Observed {
  product: Product;
  key: string;
  params: Record<string, unknown>;
  status: number;
  data: unknown;
  problems: Problem[];
  /** For a 400: why the request was refused. */
  error?: string;
  errors?: Record<string, string>;
}

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 595: 'Connection refused' };

/** When each ticket was handed out (ms), for the expired-ticket fault. */
const issuedTickets = new WeakMap<RemoteState, Map<string, number>>();

/** A login's answer: a ticket and CSRF token at the answering node's time, remembered for the expired-ticket fault. */
export function issueTicket(ctx: Ctx, userid: string): { ticket: string; CSRFPreventionToken: string } {
  const nowS = Math.floor(ctx.world.nodeNow(ctx.via) / 1000);
  const ticket = makeTicket(ctx.remote, userid, nowS);
  let m = issuedTickets.get(ctx.remote);
  if (!m) issuedTickets.set(ctx.remote, (m = new Map()));
  if (m.size > 10_000) m.clear();
  m.set(ticket, ctx.world.now());
  return { ticket, CSRFPreventionToken: makeCsrf(ctx.remote, userid, nowS) };
}

export class Router {
  private readonly routes: Compiled[] = [];
  /** When set, every answer is checked against the extract and reported here. */
  observer?: (o: Observed) => void;

  constructor(
    readonly product: Product,
    table: RouteTable,
  ) {
    const extract = loadExtract();
    for (const [k, handler] of Object.entries(table)) {
      const [method, path] = k.split(' ') as [string, string];
      const key = opKey(product, method, path);
      const op = extract.operations[key];
      if (!op) throw new Error(`${key} is served but not in the schema extract (run tests/sim/schema/extract.ts)`);
      const segments = path.split('/').filter(Boolean);
      this.routes.push({ key, segments, literal: segments.filter((s) => !s.startsWith('{')).length, handler, op });
    }
    this.routes.sort((a, b) => b.literal - a.literal);
  }

  keys(): string[] {
    return this.routes.map((r) => r.key);
  }

  private match(method: string, path: string): { route: Compiled; pathParams: Record<string, string> } | 'wrong-method' | null {
    const parts = path.split('/').filter(Boolean).map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
    let pathMatched = false;
    for (const r of this.routes) {
      if (r.segments.length !== parts.length) continue;
      const pathParams: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const s = r.segments[i]!;
        if (s.startsWith('{')) pathParams[s.slice(1, -1)] = parts[i]!;
        else ok = s === parts[i];
      }
      if (!ok) continue;
      pathMatched = true;
      if (r.op.method === method) return { route: r, pathParams };
    }
    return pathMatched ? 'wrong-method' : null;
  }

  handle(world: World, remote: RemoteState, via: NodeState, req: RawRequest): Answer {
    world.tasks.advance();
    const seen: { key?: string; params?: Record<string, unknown> } = {};
    try {
      return this.dispatch(world, remote, via, req, seen);
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, err instanceof Error ? err.message : String(err));
      // Refusals are observed too: a 400 means the caller sent what a real host would refuse.
      if (this.observer && seen.key) this.observer({ product: this.product, key: seen.key, params: seen.params ?? {}, status: e.status, data: null, problems: [], ...(e.status === 400 ? { error: e.message, errors: e.errors } : {}) });
      return this.error(e);
    }
  }

  private dispatch(world: World, remote: RemoteState, via: NodeState, req: RawRequest, seen: { key?: string; params?: Record<string, unknown> }): Answer {
    const m = this.match(req.method, req.path);
    if (m === null || m === 'wrong-method') {
      if (this.product === 'pve') throw new HttpError(501, `Method '${req.method} /api2/json${req.path}' not implemented`);
      throw new HttpError(m === null ? 404 : 405, m === null ? `Path '/api2/json${req.path}' not found.` : `Method '${req.method}' not supported for path '/api2/json${req.path}'.`);
    }
    const { route, pathParams } = m;
    seen.key = route.key;
    const nowS = Math.floor(world.nodeNow(via) / 1000);

    // Authentication (the ticket login itself is public).
    const perms = route.op.permissions as { user?: string } | undefined;
    let auth: Auth | null = null;
    if (perms?.user !== 'world') {
      const a = this.authenticate(remote, via, req, nowS);
      if (a instanceof HttpError) return { ...this.error(a), authFailed: true };
      auth = a;
    }

    // Parameters: path, query and body together, as Proxmox merges them.
    const raw: Record<string, unknown> = { ...req.query, ...req.body, ...pathParams };
    const { params, errors } = checkParams(route.op.parameters, raw, this.product);
    seen.params = raw;
    if (Object.keys(errors).length) {
      if (this.product === 'pve') throw new HttpError(400, 'Parameter verification failed.', errors);
      const [name, msg] = Object.entries(errors)[0]!;
      throw new HttpError(400, `parameter verification failed - '${name}': ${msg}`);
    }

    // pveproxy forwards `proxyto: node` calls to that node; a node that is down does not answer.
    if (this.product === 'pve' && route.op.proxyto === 'node' && typeof params.node === 'string') {
      const target = findNode(remote, params.node);
      if (!target) throw new HttpError(500, `hostname lookup '${params.node}' failed - failed to get address info for: ${params.node}: Name or service not known`);
      if (target !== via && isOffline(target)) throw new HttpError(595, `Connection refused`);
    }

    if (auth) {
      const denied = checkPermissions(auth, route.op.permissions, params);
      if (denied) {
        throw new HttpError(403, this.product === 'pve' ? `Permission check failed (${denied.path}, ${denied.privs.join('|')})` : 'permission check failed');
      }
    }

    const ctx: Ctx = { world, remote, via, method: req.method, path: req.path, params, auth, attrs: {}, headers: {} };
    const data = route.handler(ctx);
    const payload = { data: data === undefined ? null : data, ...ctx.attrs };
    if (this.observer) {
      const problems = validate(route.op.returns, payload.data, { mode: 'return', product: this.product, undocumented: (at) => undocumentedAllowed(route.key, at), skip: (at) => shapeDiffers(route.key, at) });
      this.observer({ product: this.product, key: route.key, params, status: 200, data: payload.data, problems });
    }
    return { status: 200, reason: 'OK', body: JSON.stringify(payload), headers: ctx.headers };
  }

  private authenticate(remote: RemoteState, via: NodeState, req: RawRequest, nowS: number): Auth | HttpError {
    const pve = this.product === 'pve';
    const header = req.headers.authorization;
    const token = tokenFromHeader(remote, Array.isArray(header) ? header[0] : header);
    if (token === 'malformed') return new HttpError(401, pve ? 'invalid token value!' : 'authentication failed - invalid API token');
    if (token) {
      const p = checkToken(remote, token.tokenid, token.secret);
      if (!p) return new HttpError(401, pve ? 'invalid token value!' : `authentication failed - invalid API token`);
      return new Auth(remote, p);
    }
    const cookieName = pve ? 'PVEAuthCookie' : 'PBSAuthCookie';
    const cookies = String(req.headers.cookie ?? '');
    const raw = cookies.split(/;\s*/).find((c) => c.startsWith(`${cookieName}=`))?.slice(cookieName.length + 1);
    if (!raw) return new HttpError(401, pve ? 'No ticket' : 'authentication failed - no authentication credentials provided.');
    const ticket = decodeURIComponent(raw);
    const fault = effectiveFault(via);
    const t = verifyTicket(remote, ticket, nowS);
    // An expired-ticket fault: every ticket issued before it was set is too old; new logins work.
    const issued = issuedTickets.get(remote)?.get(ticket) ?? 0;
    if (!t || (fault?.kind === 'expired-ticket' && issued <= faultSince(via))) return new HttpError(401, pve ? 'permission denied - invalid PVE ticket' : 'authentication failed - invalid ticket');
    const p = remote.principals.find((x) => x.kind === 'password' && x.authid === t.userid);
    if (!p) return new HttpError(401, pve ? 'permission denied - invalid PVE ticket' : 'authentication failed - invalid ticket');
    if (req.method !== 'GET') {
      const csrf = req.headers.csrfpreventiontoken;
      if (!verifyCsrf(remote, Array.isArray(csrf) ? csrf[0] : csrf, t.userid, nowS)) return new HttpError(401, pve ? 'Permission denied - invalid csrf token' : 'authentication failed - invalid csrf token');
    }
    return new Auth(remote, p);
  }

  error(err: HttpError): Answer {
    if (this.product === 'pve') {
      // pve-http-server: the message's first line is the reason phrase; the body repeats it.
      const reason = err.message.split('\n')[0]!.replace(/[\r\n]/g, ' ');
      const body: Record<string, unknown> = { data: null, message: err.message.endsWith('\n') ? err.message : `${err.message}\n` };
      if (err.errors) body.errors = err.errors;
      return { status: err.status, reason, body: err.status === 401 ? '' : JSON.stringify(body), headers: {} };
    }
    // proxmox-rest-server: canonical reason phrase, the message as the (plain text) body.
    return { status: err.status, reason: STATUS_TEXT[err.status] ?? 'Error', body: err.message, headers: {} };
  }
}
