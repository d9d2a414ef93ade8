// Detail reads proxied to a remote with a short cache: repeated views of the same page do
// not hit the remote every time, and when the remote is down the last answer is served.
// (Metrics are not proxied: Steward keeps their history itself, daemons/api/metrics.)
import { ApiError } from '../../../shared/errors.ts';
import type { AppDeps } from '../deps.ts';
import type { AuthInfo } from '../framework/types.ts';

const memo = new Map<string, { at: number; data: unknown }>();
const MAX_MEMO = 5000;

export interface ProxiedGet {
  remote: string;
  path: string;
  query?: Record<string, string | number | undefined>;
  /** How long an answer is fresh enough to serve without asking again. */
  ttlMs: number;
}

export async function proxiedGet(deps: AppDeps, auth: AuthInfo, req: ProxiedGet): Promise<unknown> {
  const entry = deps.remotes.repo.get(req.remote);
  const credential = deps.acl.remoteAccess(auth, req.remote)?.credential ?? null;
  const qs = new URLSearchParams(Object.entries(req.query ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])).toString();
  // The credential is part of the key: a limited token's answer is never served to a full one or back.
  const key = `${req.remote}/${credential ?? ''}/${entry.version}${req.path}?${qs}`;
  const now = deps.remotes.now();
  const hit = memo.get(key);
  if (hit && now - hit.at < req.ttlMs) return hit.data;
  try {
    const data = await deps.remotes.clients.client(entry, credential).get(req.path, req.query);
    if (memo.size >= MAX_MEMO) memo.delete(memo.keys().next().value!);
    memo.set(key, { at: now, data });
    return data;
  } catch (err) {
    // Down or unreachable: the last answer beats an empty chart.
    if (hit && err instanceof ApiError && ['remote_unreachable', 'timeout', 'remote_error', 'fingerprint_mismatch', 'remote_tls'].includes(err.code)) return hit.data;
    throw err;
  }
}
