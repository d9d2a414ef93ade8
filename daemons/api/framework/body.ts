// Request inputs: JSON or form-encoded bodies (as Proxmox accepts), query strings for GET/DELETE.
import type { Context } from 'hono';
import { ApiError } from '../../../shared/errors.ts';
import type { AppEnv } from './types.ts';

/** Query parameters; a key given several times becomes an array. */
export function readQuery(c: Context<AppEnv>): Record<string, string | string[]> {
  const all = c.req.queries();
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(all)) out[k] = v.length === 1 ? v[0]! : v;
  return out;
}

export async function readBody(c: Context<AppEnv>): Promise<unknown> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const text = await c.req.text();
  if (text.trim() === '') return {};
  if (type === 'application/json' || type === '') {
    try {
      return JSON.parse(text);
    } catch {
      throw new ApiError('bad_request', 'the request body is not valid JSON');
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(text)) {
      const prev = out[k];
      out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    return out;
  }
  throw new ApiError('unsupported_media_type', `unsupported content type '${type}': send JSON or form-encoded parameters`);
}
