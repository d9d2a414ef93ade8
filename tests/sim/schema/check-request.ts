// Checks an outgoing request against the schema extract, the way a real PVE/PBS would before
// running it: for Steward's remote client tests ("does what we send exist, with parameters
// of the right names and types?") and the simulator's conformance tests.
import type { Product } from '../types.ts';
import type { Operation } from './extract.ts';
import { loadExtract } from './extract.ts';
import { checkParams, validate } from './validate.ts';
import type { Problem } from './validate.ts';
import { shapeDiffers, undocumentedAllowed } from './undocumented.ts';

/** The extract's operation for a concrete path (`/nodes/pve1/qemu/100/status/current`), with its path parameters. */
export function findOperation(product: Product, method: string, path: string): { op: Operation; pathParams: Record<string, string> } | undefined {
  const parts = path.replace(/^\/api2\/json/, '').split('?')[0]!.split('/').filter(Boolean);
  let best: { op: Operation; pathParams: Record<string, string>; literal: number } | undefined;
  for (const op of Object.values(loadExtract().operations)) {
    if (op.product !== product || op.method !== method.toUpperCase()) continue;
    const segs = op.path.split('/').filter(Boolean);
    if (segs.length !== parts.length) continue;
    const pathParams: Record<string, string> = {};
    let literal = 0;
    let ok = true;
    for (let i = 0; i < segs.length && ok; i++) {
      if (segs[i]!.startsWith('{')) pathParams[segs[i]!.slice(1, -1)] = decodeURIComponent(parts[i]!);
      else if (segs[i] === parts[i]) literal++;
      else ok = false;
    }
    if (ok && (!best || literal > best.literal)) best = { op, pathParams, literal };
  }
  return best && { op: best.op, pathParams: best.pathParams };
}

/**
 * Problems with a request: an operation the extract does not have, or parameters (query or
 * body, as text or typed values) a real host would refuse. Empty when the request is fine.
 */
export function checkRequest(product: Product, method: string, path: string, params: Record<string, unknown> = {}): string[] {
  const found = findOperation(product, method, path);
  if (!found) return [`${product} ${method} ${path}: no such operation in the schema extract`];
  const query = Object.fromEntries(new URLSearchParams(path.split('?')[1] ?? ''));
  const { errors } = checkParams(found.op.parameters, { ...query, ...params, ...found.pathParams }, product);
  return Object.entries(errors).map(([k, v]) => `${found.op.method} ${found.op.path}: parameter '${k}': ${v}`);
}

/** Problems with a response's `data`, honouring the documented schema differences. */
export function checkResponse(product: Product, method: string, path: string, data: unknown): Problem[] {
  const found = findOperation(product, method, path);
  if (!found) return [{ at: 'data', message: `${product} ${method} ${path}: no such operation in the schema extract` }];
  const key = `${product} ${found.op.method} ${found.op.path}`;
  return validate(found.op.returns, data, { mode: 'return', product, undocumented: (at) => undocumentedAllowed(key, at), skip: (at) => shapeDiffers(key, at) });
}
