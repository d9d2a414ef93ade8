// The remotes subsystem as the daemon holds it: stored remotes, their HTTPS clients, and
// (added by the poller) the snapshot cache. One object on AppDeps, built in main.ts or by tests.
import type { Store } from '../store/store.ts';
import { ClientPool } from './client-pool.ts';
import { DEFAULT_CLIENT_OPTIONS } from './client.ts';
import type { ClientOptions } from './client.ts';
import type { CredentialKey } from './credential-key.ts';
import { RemoteRepo } from './remote-repo.ts';

export interface RemoteServices {
  repo: RemoteRepo;
  clients: ClientPool;
  close(): void;
}

export function createRemoteServices(store: Store, key: CredentialKey, clientOptions: Partial<ClientOptions> = {}): RemoteServices {
  const repo = new RemoteRepo(store, key);
  const clients = new ClientPool(repo, { ...DEFAULT_CLIENT_OPTIONS, ...clientOptions });
  return {
    repo,
    clients,
    close() {
      clients.close();
    },
  };
}
