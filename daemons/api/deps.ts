// What route handlers get from the running daemon. Assembled in main.ts (or by tests).
import type { AcmeService } from './acme/acme-service.ts';
import type { HostTasks } from './tasks/host-tasks.ts';
import type { Config } from '../common/config.ts';
import type { Logger } from '../common/log.ts';
import type { AclQuery } from './auth/acl-query.ts';
import type { AccessControl } from './auth/access-control.ts';
import type { AccessHooks } from './framework/types.ts';
import type { PrivdClient } from './privd-client.ts';
import type { RemoteServices } from './remotes/index.ts';
import type { Store } from './store/store.ts';

export interface Lifecycle {
  /** Set on SIGTERM: new requests get 503 while in-flight ones finish. */
  draining: boolean;
  inFlight: number;
}

export interface AppDeps {
  config: Config;
  store: Store;
  privd: PrivdClient;
  log: Logger;
  access: AccessHooks;
  /** Questions about a caller's rights beyond the route's own permission check. */
  acl: AclQuery;
  lifecycle: Lifecycle;
  /** Users, tokens, TFA, ACL, allowlist and the audit log (absent in tests that stub access). */
  accessControl?: AccessControl;
  /** Stored remotes, their clients, the poller and its snapshot cache. */
  remotes: RemoteServices;
  /** ACME for the API's own certificate; created on first use (acmeOf). */
  acme?: AcmeService;
  /** Tasks run on this host (apt-get update); created on first use (hostTasksOf). */
  hostTasks?: HostTasks;
}
