// The rrddata routes' answer: Steward's own history of the object, whether the remote
// answers or not. While the remote is up, a chart read also asks the remote's own RRD for
// the same timeframe (at most once per remote RRD step) and fills what Steward did not see.
import { ApiError } from '../../../shared/errors.ts';
import type { AppDeps } from '../deps.ts';
import type { AuthInfo } from '../framework/types.ts';
import type { Cf, Point, Timeframe } from './archive.ts';

/** One step of the remote's RRD per timeframe: asking more often brings nothing new. */
export const BACKFILL_EVERY_MS: Record<Timeframe, number> = { hour: 60_000, day: 1_800_000, week: 10_800_000, month: 43_200_000, year: 86_400_000 };
/** A chart waits this long for the remote's RRD, then is answered from the store (the import goes on). */
const BACKFILL_WAIT_MS = 3000;

export interface HistoryRequest {
  remote: string;
  /** Proxmox's resource id: `qemu/100`, `node/pve1`, `storage/pve1/local`, `datastore/store1`. */
  objectId: string;
  /** The remote's rrddata path for this object, when known (a vanished guest's node is not). */
  remotePath?: string;
  timeframe: Timeframe;
  cf: Cf;
}

export async function metricsHistory(deps: AppDeps, auth: AuthInfo, req: HistoryRequest): Promise<Point[]> {
  const entry = deps.remotes.repo.get(req.remote);
  const credential = deps.acl.remoteAccess(auth, req.remote)?.credential ?? null;
  // A caller acting through a limited credential sees only what that credential saw.
  if (credential !== null && !deps.remotes.cache.credentialIds(req.remote, credential)?.has(req.objectId)) {
    throw new ApiError('not_found', `no ${req.objectId} visible on remote '${req.remote}'`);
  }
  const state = deps.remotes.cache.stateRecord(req.remote)?.status;
  const key = `${req.remote}\u0000${credential ?? ''}\u0000${req.objectId}\u0000${req.timeframe}\u0000${req.cf}`;
  const now = deps.remotes.now();
  const backfilled = deps.remotes.metrics.backfilled;
  if (req.remotePath && entry.value.enabled && state !== 'down' && now - (backfilled.get(key) ?? -Infinity) >= BACKFILL_EVERY_MS[req.timeframe]) {
    backfilled.set(key, now);
    const path = req.remotePath;
    const backfill = (async () => {
      const points = await deps.remotes.clients.client(entry, credential).get(path, { timeframe: req.timeframe, cf: req.cf });
      if (Array.isArray(points)) await deps.remotes.metrics.importPoints(req.remote, req.objectId, req.timeframe, req.cf, points as Record<string, unknown>[], deps.remotes.now());
    })().catch((err: unknown) => {
      // The history is served as Steward has it; the next read asks again.
      backfilled.delete(key);
      deps.log.debug('metrics backfill failed', { remote: req.remote, object: req.objectId, error: err instanceof Error ? err.message : String(err) });
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([backfill, new Promise<void>((resolve) => { timer = setTimeout(resolve, BACKFILL_WAIT_MS); })]);
    clearTimeout(timer);
  }
  return deps.remotes.metrics.read(req.remote, req.objectId, req.timeframe, req.cf, deps.remotes.now());
}
