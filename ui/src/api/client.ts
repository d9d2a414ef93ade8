// The one way the UI talks to Steward: the public REST API under /api2/json, exactly as
// scripts use it. Adds the CSRFPreventionToken to every state-changing request, unwraps
// `{data}`, and turns failures into ApiRequestError carrying the API's code and message.
import type { ErrorCode } from '../../../shared/errors.ts';

export const API_BASE = '/api2/json';

/** Codes the client adds for failures that never reached the API's error envelope. */
export type ClientErrorCode = ErrorCode | 'network' | 'bad_response';

export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: ClientErrorCode;
  readonly errors: Record<string, string> | undefined;
  constructor(status: number, code: ClientErrorCode, message: string, errors?: Record<string, string>) {
    super(message);
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = code;
    this.errors = errors;
  }
}

export type Params = Record<string, string | number | boolean | undefined | null | readonly string[]>;

interface ClientState {
  csrf: string | undefined;
  /** Called when the API says the session is gone (expired ticket, logged out elsewhere). */
  onUnauthenticated: (() => void) | undefined;
}

const state: ClientState = { csrf: undefined, onUnauthenticated: undefined };

export function setCsrfToken(token: string | undefined): void {
  state.csrf = token;
}

export function onUnauthenticated(fn: () => void): void {
  state.onUnauthenticated = fn;
}

export function queryString(params: Params | undefined): string {
  if (!params) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v) q.append(k, item);
    else q.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Path segments are always encoded here, so ids with odd characters cannot change the path. */
export function path(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  return strings.reduce((acc, s, i) => acc + s + (i < values.length ? encodeURIComponent(String(values[i])) : ''), '');
}

export async function request<T>(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  apiPath: string,
  params?: Params | object,
  opts: { signal?: AbortSignal; quietUnauthenticated?: boolean } = {},
): Promise<T> {
  const hasBody = method === 'POST' || method === 'PUT';
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET' && state.csrf) headers.CSRFPreventionToken = state.csrf;
  if (hasBody) headers['Content-Type'] = 'application/json';
  const url = API_BASE + apiPath + (hasBody ? '' : queryString(params as Params | undefined));
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: hasBody ? JSON.stringify(params ?? {}) : undefined,
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiRequestError(0, 'network', 'Steward cannot be reached. Check the network connection and try again.');
  }
  let body: { data?: unknown; message?: string; code?: ClientErrorCode; errors?: Record<string, string> };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new ApiRequestError(res.status, 'bad_response', `unexpected answer from the server (HTTP ${res.status})`);
  }
  if (!res.ok) {
    const code = body.code ?? 'bad_response';
    if (code === 'unauthenticated' && !opts.quietUnauthenticated) state.onUnauthenticated?.();
    throw new ApiRequestError(res.status, code, body.message ?? `HTTP ${res.status}`, body.errors);
  }
  return body.data as T;
}

export const api = {
  get: <T>(p: string, params?: Params, opts?: { signal?: AbortSignal }) => request<T>('GET', p, params, opts),
  post: <T>(p: string, body?: object) => request<T>('POST', p, body),
  put: <T>(p: string, body?: object) => request<T>('PUT', p, body),
  delete: <T>(p: string, params?: Params) => request<T>('DELETE', p, params),
};

/** A message for the user: the API's message, plus field errors when there are any. */
export function errorText(err: unknown): string {
  if (err instanceof ApiRequestError) {
    const fields = err.errors ? Object.entries(err.errors).map(([k, v]) => `${k}: ${v}`) : [];
    return fields.length ? `${err.message} (${fields.join('; ')})` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
