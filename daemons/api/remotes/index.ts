// The remotes subsystem as the daemon holds it: stored remotes, their HTTPS clients, the
// poller and its snapshot cache, and saved views. One object on AppDeps, built in main.ts
// or by tests; the poller is started by services.ts.
import type { Logger } from '../../common/log.ts';
import { MetricsStore } from '../metrics/metrics-store.ts';
import { ViewRepo } from '../resources/views.ts';
import { RemoteTasks } from '../tasks/remote-tasks.ts';
import type { AccessHooks } from '../framework/types.ts';
import type { Store } from '../store/store.ts';
import { ClientPool } from './client-pool.ts';
import { DEFAULT_CLIENT_OPTIONS } from './client.ts';
import type { ClientOptions } from './client.ts';
import type { CredentialKey } from './credential-key.ts';
import { GcPacer } from './gc-pacer.ts';
import { Poller } from './poller.ts';
import type { PollerOptions } from './poller.ts';
import { RemoteRepo } from './remote-repo.ts';
import { SnapshotCache } from './snapshot-cache.ts';

export interface RemoteServices {
  repo: RemoteRepo;
  clients: ClientPool;
  cache: SnapshotCache;
  poller: Poller;
  /** Steward's own metrics history, fed by the poller. */
  metrics: MetricsStore;
  views: ViewRepo;
  tasks: RemoteTasks;
  now(): number;
  close(): void;
}

/**
 * Answers read between two full garbage collections (gc-pacer.ts): at 50,000 guests a
 * refresh reads ~20 MB, so one collection follows each, when the poller falls idle.
 */
const GC_EVERY_BYTES = 64 * 2 ** 20;

export interface RemoteServiceOptions {
  client?: Partial<ClientOptions>;
  poller?: Partial<PollerOptions>;
  now?: () => number;
  /** The access hooks, once built (task ends are audited through them). */
  access?: () => AccessHooks;
  taskIntervalMs?: number;
}

export function createRemoteServices(store: Store, key: CredentialKey, log: Logger, opts: RemoteServiceOptions = {}): RemoteServices {
  const now = opts.now ?? Date.now;
  const repo = new RemoteRepo(store, key);
  const gc = new GcPacer(GC_EVERY_BYTES);
  const clients = new ClientPool(repo, { ...DEFAULT_CLIENT_OPTIONS, now, received: gc.received, ...opts.client });
  const cache = new SnapshotCache(store, now);
  cache.load();
  // 256 remotes at once (docs/architecture.md, "Poller concurrency"): 200 remotes answering
  // in 200 ms refresh in one round instead of four, while the sockets (a refresh uses 2–3,
  // never more than the client's 4 per remote) stay far below the file-descriptor limit.
  const metrics = new MetricsStore(store);
  metrics.load();
  const poller = new Poller(repo, clients, cache, log.child({ component: 'poller' }), { concurrency: 256, tickMs: 1000, now, idle: gc.idle, ...opts.poller }, metrics);
  const services: RemoteServices = {
    repo,
    clients,
    cache,
    poller,
    metrics,
    views: new ViewRepo(store),
    tasks: undefined as never,
    now,
    close() {
      services.tasks.stop();
      clients.close();
    },
  };
  const noAudit = { audit: () => undefined } as unknown as AccessHooks;
  services.tasks = new RemoteTasks(store, services, opts.access ?? (() => noAudit), log.child({ component: 'tasks' }), { intervalMs: opts.taskIntervalMs ?? 2000, now });
  return services;
}
