// Refreshes every enabled remote on its interval: different remotes concurrently (bounded),
// one refresh at a time per remote (a "refresh now" during a refresh joins it). A failed
// refresh marks the remote down with its error and keeps the last good snapshot. Slower
// items (updates, subscription, backups) are fetched on the remote's slow interval.
import { ApiError } from '../../../shared/errors.ts';
import type { RemoteType } from '../../../shared/remotes.ts';
import type { Resource } from '../../../shared/resources.ts';
import type { Logger } from '../../common/log.ts';
import type { MetricsStore } from '../metrics/metrics-store.ts';
import type { Entry } from '../store/store.ts';
import { pbsDatastoreResource, pbsNodeResource, pveItems } from '../resources/normalize.ts';
import type { ResourceItem } from '../resources/normalize.ts';
import { ResourceTable } from '../resources/table.ts';
import { fetchPbsBackups, fetchPveBackups } from './backups.ts';
import type { ClientPool } from './client-pool.ts';
import type { RemoteClient } from './client.ts';
import { Limiter } from './limiter.ts';
import type { RemoteRepo, StoredRemote } from './remote-repo.ts';
import type { SnapshotCache, StateRecord, TaskSummary } from './snapshot-cache.ts';

export interface PollerOptions {
  /** Remotes refreshed at the same time. */
  concurrency: number;
  /** How often the scheduler looks for due remotes. */
  tickMs: number;
  now(): number;
  /** Called when the last refresh under way has ended. */
  idle?: () => void;
}

type Raw = Record<string, unknown>;

/** One refresh of a remote under way. */
interface Refresh {
  id: string;
  started: number;
  pollInterval: number;
  /** What degrades the remote (a node offline, a datastore's error…). */
  problems: string[];
  /** The recording of its figures into the metrics history, once its table is made. */
  recorded?: Promise<void>;
}

interface Fetched {
  table: ResourceTable;
  tasks: TaskSummary[];
}

export class Poller {
  private readonly limiter: Limiter;
  private readonly running = new Map<string, Promise<StateRecord>>();
  private readonly lastSlow = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: RemoteRepo,
    private readonly clients: ClientPool,
    private readonly cache: SnapshotCache,
    private readonly log: Logger,
    private readonly opts: PollerOptions,
    private readonly metrics?: MetricsStore,
  ) {
    this.limiter = new Limiter(opts.concurrency);
    repo.onChange(async (id, entry) => {
      if (!entry) {
        await this.cache.remove(id);
        await this.metrics?.removeRemote(id);
      }
      else if (!entry.value.enabled) await this.cache.setState({ ...(this.cache.stateRecord(id) ?? { remote: id, type: entry.value.type }), status: 'disabled' });
    });
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.opts.tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.running.values()]);
    await this.cache.flush();
    await this.metrics?.flush();
  }

  /** Starts refreshes of remotes whose interval has passed since their last attempt. */
  private tick(): void {
    const now = this.opts.now();
    for (const e of this.repo.list()) {
      if (!e.value.enabled || this.running.has(e.key)) continue;
      const last = this.cache.stateRecord(e.key)?.lastAttempt ?? 0;
      if (now - last >= e.value['poll-interval'] * 1000) void this.refresh(e.key).catch(() => undefined);
      else if (this.slowDue(e.value, now)) void this.refreshSlow(e.key).catch(() => undefined);
    }
  }

  private slowDue(remote: StoredRemote, now: number): boolean {
    const state = this.cache.stateRecord(remote.id);
    return state?.status !== 'down' && state?.lastSuccess !== undefined && now - (this.lastSlow.get(remote.id) ?? 0) >= remote['slow-interval'] * 1000;
  }

  /** The slower items (updates, subscription, backups) of one remote, in their own turn of the limiter. */
  refreshSlow(id: string): Promise<void> {
    const key = `slow\u0000${id}`;
    const current = this.running.get(key);
    if (current) return current.then(() => undefined);
    const p = this.limiter.run(async () => {
      const entry = this.repo.get(id);
      this.lastSlow.set(id, this.opts.now());
      const client = this.clients.client(entry, null);
      await Promise.all([
        this.fetchSlow(client, entry.value).catch((err: unknown) => this.log.warn('slow refresh failed', { remote: id, error: String(err) })),
        this.fetchBackups(client, entry).catch((err: unknown) => this.log.warn('backups refresh failed', { remote: id, error: String(err) })),
      ]);
      this.clients.closeIdle(id);
      return this.cache.stateRecord(id)!;
    }).finally(() => this.running.delete(key));
    this.running.set(key, p);
    return p.then(() => undefined);
  }

  /** Refreshes all enabled remotes now; resolves when every one has finished. */
  async refreshAll(): Promise<StateRecord[]> {
    return Promise.all(this.repo.list().filter((e) => e.value.enabled).map((e) => this.refresh(e.key)));
  }

  /** Refresh one remote now (joins a refresh already under way); with `slow`, its slower items after. */
  async refresh(id: string, opts: { slow?: boolean } = {}): Promise<StateRecord> {
    let p = this.running.get(id);
    if (!p) {
      p = this.refreshOnce(id).finally(() => {
        this.running.delete(id);
        if (this.running.size === 0) this.opts.idle?.();
      });
      this.running.set(id, p);
    }
    const state = await p;
    if (opts.slow && state.status !== 'down') await this.refreshSlow(id);
    return state;
  }

  private async refreshOnce(id: string): Promise<StateRecord> {
    // The limiter bounds what is in flight to remotes: it covers the requests only, so the
    // cache and LMDB writes that follow never hold a slot another remote is waiting for.
    const { remote, client, fetched, refresh } = await this.limiter.run(async () => {
      const entry = this.repo.get(id);
      const refresh: Refresh = { id, started: this.opts.now(), pollInterval: entry.value['poll-interval'], problems: [] };
      const client = this.clients.client(entry, null);
      try {
        const data = entry.value.type === 'pve' ? await this.fetchPve(client, refresh) : await this.fetchPbs(client, refresh);
        const credentialIds = await this.fetchCredentialIds(entry, refresh.problems);
        return { remote: entry.value, client, refresh, fetched: { ok: true as const, ...data, credentialIds } };
      } catch (err) {
        return { remote: entry.value, client, refresh, fetched: { ok: false as const, err } };
      } finally {
        this.clients.closeIdle(id);
      }
    });
    const { started, problems } = refresh;
    await refresh.recorded;
    let state: StateRecord;
    try {
      if (!fetched.ok) throw fetched.err;
      await this.cache.setSnapshot(id, remote.type, { time: started, table: fetched.table, tasks: fetched.tasks });
      for (const [cred, ids] of fetched.credentialIds) await this.cache.setCredentialIds(id, remote.type, cred, ids);
      for (const ep of client.endpoints) {
        if (ep.mismatch) problems.push(`endpoint ${ep.host}:${ep.port}: certificate changed (now ${ep.mismatch}); trust it to use this endpoint again`);
        else if (ep.failedAt !== undefined && ep.failedAt >= started) problems.push(`endpoint ${ep.host}:${ep.port}: ${ep.lastError}`);
      }
      state = { remote: id, type: remote.type, status: problems.length ? 'degraded' : 'ok', lastSuccess: started, lastAttempt: started, problems, refreshMs: this.opts.now() - started };
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError('remote_error', String(err));
      const prev = this.cache.stateRecord(id);
      state = { remote: id, type: remote.type, status: 'down', lastAttempt: started, lastSuccess: prev?.lastSuccess, error: e.message, errorCode: e.code, refreshMs: this.opts.now() - started };
      this.log.warn('remote refresh failed', { remote: id, code: e.code, error: e.message });
    }
    // Removed while the refresh ran: leave no cache entry behind.
    if (!this.repo.find(id)) {
      await this.cache.remove(id);
      await this.metrics?.removeRemote(id);
      return state;
    }
    await this.cache.setState(state);
    return state;
  }

  /** The snapshot's figures into the metrics history; a failure there never fails the refresh. */
  private async recordMetrics(id: string, time: number, rows: ResourceTable, pollInterval: number): Promise<void> {
    try {
      await this.metrics?.record(id, time, rows, pollInterval);
    } catch (err) {
      this.log.warn('metrics not recorded', { remote: id, error: String(err) });
    }
  }

  /**
   * The remote's resources as a table, made as soon as they are read: the parsed answer is
   * then garbage before the next request is even sent, and dies young. Its figures go into
   * the metrics history at once, while the task list is asked: at 200 remotes answering
   * together, the recording's CPU then overlaps the wait for the tasks instead of following it.
   */
  private table(refresh: Refresh, type: RemoteType, resources: readonly ResourceItem[]): ResourceTable {
    const table = new ResourceTable(refresh.id, type, resources, this.cache.table(refresh.id));
    refresh.recorded = this.recordMetrics(refresh.id, refresh.started, table, refresh.pollInterval);
    return table;
  }

  private async fetchPve(client: RemoteClient, refresh: Refresh): Promise<Fetched> {
    const { id, problems } = refresh;
    // One after the other, on one connection: asked at once, they took two, and at 200
    // remotes the second 200 TLS handshakes cost more CPU (and ~25 MB of TLS state at the
    // peak) than the tasks' answer takes to come. The resources first: a remote that fails
    // them is down at once, and a task list that fails or times out costs only the tasks.
    // The tasks are asked before the table is made, so the remote answers while it is.
    const items = await client.get('/cluster/resources');
    if (!Array.isArray(items)) throw new ApiError('remote_error', `${id}: /cluster/resources did not answer a list`);
    const tasks = (client.get('/cluster/tasks') as Promise<Raw[] | null>).catch(() => null);
    const table = this.table(refresh, 'pve', pveItems(items));
    for (let i = 0; i < table.length; i++) {
      const status = table.str('status', i);
      if (table.type(i) === 'node' && status !== 'online') problems.push(`node ${table.str('node', i)} is ${status ?? 'unknown'}`);
    }
    return { table, tasks: taskList(await tasks) };
  }

  private async fetchPbs(client: RemoteClient, refresh: Refresh): Promise<Fetched> {
    const { id, problems } = refresh;
    const [status, usage, tasks] = await Promise.all([
      client.get('/nodes/localhost/status') as Promise<Raw | null>,
      client.get('/status/datastore-usage') as Promise<Raw[] | null>,
      (client.get('/nodes/localhost/tasks', { limit: 50 }) as Promise<Raw[] | null>).catch(() => null),
    ]);
    const resources: Resource[] = [pbsNodeResource(id, status)];
    for (const item of usage ?? []) {
      const r = pbsDatastoreResource(id, item);
      if (!r) continue;
      if (item.error) problems.push(`datastore ${r.name}: ${String(item.error).slice(0, 200)}`);
      resources.push(r);
    }
    return { table: this.table(refresh, 'pbs', resources), tasks: taskList(tasks) };
  }

  /** What each non-default credential sees, so users acting through it see only that. */
  private async fetchCredentialIds(entry: Entry<StoredRemote>, problems: string[]): Promise<Map<string, string[]>> {
    const remote = entry.value;
    const out = new Map<string, string[]>();
    for (const cred of remote.credentials.slice(1)) {
      try {
        const client = this.clients.client(entry, cred.name);
        const ids: string[] = [];
        if (remote.type === 'pve') {
          for (const item of ((await client.get('/cluster/resources')) as Raw[] | null) ?? []) if (typeof item.id === 'string') ids.push(item.id);
        } else {
          ids.push('node/localhost');
          for (const item of ((await client.get('/status/datastore-usage')) as Raw[] | null) ?? []) if (typeof item.store === 'string') ids.push(`datastore/${item.store}`);
        }
        out.set(cred.name, ids);
      } catch (err) {
        problems.push(`credential ${cred.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return out;
  }

  private async fetchSlow(client: RemoteClient, remote: StoredRemote): Promise<void> {
    const t = this.cache.table(remote.id);
    const nodes: string[] = [];
    if (remote.type === 'pbs') nodes.push('localhost');
    else for (let i = 0; i < t.length; i++) if (t.type(i) === 'node' && t.str('status', i) === 'online') nodes.push(t.str('node', i)!);
    const out: Record<string, { updates?: unknown[]; subscription?: unknown; error?: string }> = {};
    await Promise.all(nodes.map(async (node) => {
      const base = `/nodes/${encodeURIComponent(node)}`;
      const [updates, subscription] = await Promise.allSettled([client.get(`${base}/apt/update`), client.get(`${base}/subscription`)]);
      out[node] = {
        ...(updates.status === 'fulfilled' && Array.isArray(updates.value) ? { updates: updates.value.slice(0, 2000) } : {}),
        ...(subscription.status === 'fulfilled' ? { subscription: subscription.value } : {}),
        ...(updates.status === 'rejected' ? { error: String(updates.reason instanceof Error ? updates.reason.message : updates.reason) } : {}),
      };
    }));
    await this.cache.setSlow(remote.id, remote.type, { time: this.opts.now(), nodes: out });
  }

  private async fetchBackups(client: RemoteClient, entry: Entry<StoredRemote>): Promise<void> {
    const remote = entry.value;
    const prev = this.cache.backups(remote.id);
    const stores = (ids: Iterable<string>) => [...ids].filter((id) => id.startsWith('datastore/')).map((id) => id.slice('datastore/'.length));
    // PBS filters namespaces, groups and jobs by the credential's ACL, which its datastore
    // list does not show: each other credential's lists are read through it.
    const limited = remote.credentials.slice(1).map((c) => ({ name: c.name, client: this.clients.client(entry, c.name), stores: stores(this.cache.credentialIds(remote.id, c.name) ?? []) }));
    const record = remote.type === 'pve'
      ? await fetchPveBackups(client, prev, () => this.opts.now())
      : await fetchPbsBackups(client, stores(this.cache.table(remote.id).ids), prev, () => this.opts.now(), limited);
    // Removed while the refresh ran: leave no cache entry behind.
    if (!this.repo.find(remote.id)) return;
    await this.cache.setBackups(remote.id, record);
  }
}

function taskList(raw: Raw[] | null): TaskSummary[] {
  if (!Array.isArray(raw)) return [];
  return raw.slice(0, 200).filter((t) => typeof t.upid === 'string').map((t) => ({
    upid: t.upid as string,
    ...(typeof t.node === 'string' ? { node: t.node } : {}),
    // PBS names them worker_type and worker_id.
    ...(typeof (t.type ?? t.worker_type) === 'string' ? { type: (t.type ?? t.worker_type) as string } : {}),
    ...(typeof (t.id ?? t.worker_id) === 'string' ? { id: (t.id ?? t.worker_id) as string } : {}),
    ...(typeof t.user === 'string' ? { user: t.user } : {}),
    ...(typeof t.starttime === 'number' ? { starttime: t.starttime } : {}),
    ...(typeof t.endtime === 'number' ? { endtime: t.endtime } : {}),
    ...(typeof t.status === 'string' ? { status: t.status } : {}),
  }));
}
