// Detail reads proxied to a remote with a short cache: repeated views of the same page do
// not hit the remote every time, and when the remote is down the last answer is served
// (metrics are kept in LMDB so charts survive a restart and an outage).
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
  /** Keep the answer in LMDB (metrics), not only in memory. */
  persist?: boolean;
}

export async function proxiedGet(deps: AppDeps, auth: AuthInfo, req: ProxiedGet): Promise<unknown> {
  const entry = deps.remotes.repo.get(req.remote);
  const credential = deps.acl.remoteAccess(auth, req.remote)?.credential ?? null;
  const qs = new URLSearchParams(Object.entries(req.query ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])).toString();
  // The credential is part of the key: a limited token's answer is never served to a full one or back.
  const key = `${req.remote}/${credential ?? ''}/${entry.version}${req.path}?${qs}`;
  const now = deps.remotes.now();
  const metrics = deps.store.collection<{ at: number; data: unknown }>('metrics');
  const hit = memo.get(key) ?? (req.persist ? metrics.get(key)?.value : undefined);
  if (hit && now - hit.at < req.ttlMs) return hit.data;
  try {
    const data = await deps.remotes.clients.client(entry, credential).get(req.path, req.query);
    if (memo.size >= MAX_MEMO) memo.delete(memo.keys().next().value!);
    memo.set(key, { at: now, data });
    if (req.persist) await metrics.put(key, { at: now, data });
    return data;
  } catch (err) {
    // Down or unreachable: the last answer beats an empty chart.
    if (hit && err instanceof ApiError && ['remote_unreachable', 'timeout', 'remote_error', 'fingerprint_mismatch', 'remote_tls'].includes(err.code)) return hit.data;
    throw err;
  }
}

/** A PDM-style rrddata read: one remote RRD step is the freshness; kept in LMDB for outages. */
export const RRD_TTL_MS = { hour: 60_000, day: 300_000, week: 1_800_000, month: 7_200_000, year: 43_200_000 } as const;

export async function rrdData(deps: AppDeps, auth: AuthInfo, remote: string, path: string, q: { timeframe: keyof typeof RRD_TTL_MS; cf: string }): Promise<Record<string, number | string | null>[]> {
  const data = await proxiedGet(deps, auth, { remote, path, query: { timeframe: q.timeframe, cf: q.cf }, ttlMs: RRD_TTL_MS[q.timeframe], persist: true });
  return Array.isArray(data) ? (data as Record<string, number | string | null>[]) : [];
}
