// One RemoteClient per (remote, credential), kept while the remote's stored version is
// unchanged so keep-alive sockets, tickets and endpoint health survive between calls. A
// change to the remote (new fingerprint trusted, credentials replaced) builds a fresh client.
import type { Entry } from '../store/store.ts';
import { DEFAULT_CLIENT_OPTIONS, RemoteClient } from './client.ts';
import type { ClientOptions, EndpointState } from './client.ts';
import type { RemoteRepo, StoredRemote } from './remote-repo.ts';

export class ClientPool {
  private readonly clients = new Map<string, { version: number; client: RemoteClient }>();

  constructor(
    private readonly repo: RemoteRepo,
    private readonly options: ClientOptions = DEFAULT_CLIENT_OPTIONS,
  ) {
    repo.onChange((id) => this.drop(id));
  }

  /** The client acting with `credential` (null: the remote's default, its first). */
  client(entry: Entry<StoredRemote>, credential: string | null): RemoteClient {
    const remote = entry.value;
    const name = credential ?? remote.credentials[0]?.name ?? '';
    const key = `${remote.id}\u0000${name}`;
    const have = this.clients.get(key);
    if (have && have.version === entry.version) return have.client;
    have?.client.close();
    const client = new RemoteClient(
      { id: remote.id, type: remote.type, endpoints: remote.endpoints, credential: this.repo.clientCredential(remote, credential) },
      this.options,
    );
    this.clients.set(key, { version: entry.version, client });
    return client;
  }

  /** Endpoint health as the clients of this remote last saw it (a changed certificate wins). */
  endpointStates(id: string): EndpointState[] | undefined {
    let out: EndpointState[] | undefined;
    for (const [key, { client }] of this.clients) {
      if (!key.startsWith(`${id}\u0000`)) continue;
      if (!out) out = client.endpoints.map((e) => ({ ...e }));
      else client.endpoints.forEach((e, i) => {
        if (e.mismatch) out![i]!.mismatch = e.mismatch;
      });
    }
    return out;
  }

  /**
   * Closes the idle connections of a remote's clients. The poller calls it when a refresh is
   * done: its next one comes after the remote has closed them anyway (pveproxy: idle 5 s),
   * and each holds ~150 KB of TLS state and buffers, 30 MB at 200 remotes.
   */
  closeIdle(id: string): void {
    for (const [key, { client }] of this.clients) if (key.startsWith(`${id}\u0000`)) client.closeIdle();
  }

  private drop(id: string): void {
    for (const [key, { client }] of this.clients) {
      if (key.startsWith(`${id}\u0000`)) {
        client.close();
        this.clients.delete(key);
      }
    }
  }

  close(): void {
    for (const { client } of this.clients.values()) client.close();
    this.clients.clear();
  }
}
