// The remotes as stored: the wire model plus sealed credential secrets. Converts between
// API input, stored entries and the secret-free output; only clientCredential() ever
// opens a secret, for the HTTPS client.
import { ApiError } from '../../../shared/errors.ts';
import { DEFAULT_PORT, POLL_INTERVAL, SLOW_INTERVAL } from '../../../shared/remotes.ts';
import type { CredentialInput, Endpoint, EndpointInput, Remote, RemoteCreate, RemoteType, RemoteUpdate } from '../../../shared/remotes.ts';
import type { Collection, Entry, Store } from '../store/store.ts';
import { digestVersion, versionDigest } from '../store/store.ts';
import type { ClientCredential } from './client.ts';
import type { CredentialKey } from './credential-key.ts';

export interface StoredCredential {
  name: string;
  kind: 'token' | 'password';
  tokenid?: string;
  username?: string;
  comment?: string;
  /** The token secret or password, sealed with the credential key. */
  sealed: string;
}

export interface StoredRemote {
  id: string;
  type: RemoteType;
  endpoints: Endpoint[];
  credentials: StoredCredential[];
  'poll-interval': number;
  'slow-interval': number;
  enabled: boolean;
  comment?: string;
}

export type RemoteListener = (id: string, remote: Entry<StoredRemote> | undefined) => void | Promise<void>;

export class RemoteRepo {
  private readonly db: Collection<StoredRemote>;
  private readonly listeners: RemoteListener[] = [];

  constructor(store: Store, private readonly key: CredentialKey) {
    this.db = store.collection<StoredRemote>('remotes');
  }

  /** Called after every change (poller schedules, client pools). */
  onChange(listener: RemoteListener): void {
    this.listeners.push(listener);
  }

  private async changed(id: string): Promise<void> {
    const entry = this.db.get(id);
    await Promise.all(this.listeners.map((l) => l(id, entry)));
  }

  list(): Entry<StoredRemote>[] {
    return this.db.list();
  }

  find(id: string): Entry<StoredRemote> | undefined {
    return this.db.get(id);
  }

  get(id: string): Entry<StoredRemote> {
    const e = this.db.get(id);
    if (!e) throw new ApiError('not_found', `no remote '${id}'`);
    return e;
  }

  static toWire(e: Entry<StoredRemote>): Remote {
    const r = e.value;
    return {
      id: r.id,
      type: r.type,
      endpoints: r.endpoints,
      credentials: r.credentials.map(({ name, kind, tokenid, username, comment }) => ({ name, kind, tokenid, username, comment })),
      'poll-interval': r['poll-interval'],
      'slow-interval': r['slow-interval'],
      enabled: r.enabled,
      comment: r.comment,
      digest: versionDigest(e.version),
    };
  }

  async create(input: RemoteCreate): Promise<Entry<StoredRemote>> {
    const value: StoredRemote = {
      id: input.id,
      type: input.type,
      endpoints: endpoints(input.endpoints, input.type),
      credentials: this.credentials(input.id, input.credentials, []),
      'poll-interval': input['poll-interval'] ?? POLL_INTERVAL.default,
      'slow-interval': input['slow-interval'] ?? SLOW_INTERVAL.default,
      enabled: input.enabled ?? true,
      ...(input.comment ? { comment: input.comment } : {}),
    };
    await this.db.create(input.id, value);
    await this.changed(input.id);
    return this.get(input.id);
  }

  async update(id: string, input: RemoteUpdate): Promise<Entry<StoredRemote>> {
    const current = this.get(id);
    const next: StoredRemote = { ...current.value };
    if (input.endpoints) next.endpoints = endpoints(input.endpoints, next.type);
    if (input.credentials) next.credentials = this.credentials(id, input.credentials, current.value.credentials);
    if (input['poll-interval'] !== undefined) next['poll-interval'] = input['poll-interval'];
    if (input['slow-interval'] !== undefined) next['slow-interval'] = input['slow-interval'];
    if (input.enabled !== undefined) next.enabled = input.enabled;
    if (input.comment !== undefined) next.comment = input.comment;
    for (const field of input.delete ?? []) {
      if (field === 'comment') delete next.comment;
      if (field === 'poll-interval') next['poll-interval'] = POLL_INTERVAL.default;
      if (field === 'slow-interval') next['slow-interval'] = SLOW_INTERVAL.default;
    }
    await this.db.update(id, next, digestVersion(input.digest));
    await this.changed(id);
    return this.get(id);
  }

  async delete(id: string, digest?: string): Promise<void> {
    this.get(id);
    await this.db.delete(id, digestVersion(digest));
    await this.changed(id);
  }

  /**
   * The plaintext credential the client authenticates with: the named one, or the first
   * (the remote's default) when `name` is null.
   */
  clientCredential(remote: StoredRemote, name: string | null): ClientCredential {
    const c = name === null ? remote.credentials[0] : remote.credentials.find((x) => x.name === name);
    if (!c) throw new ApiError('not_found', `remote '${remote.id}' has no credential '${name}'`);
    const secret = this.key.open(c.sealed, sealContext(remote.id, c.name));
    return c.kind === 'token' ? { kind: 'token', tokenid: c.tokenid!, secret } : { kind: 'password', username: c.username!, password: secret };
  }

  private credentials(id: string, input: CredentialInput[], previous: StoredCredential[]): StoredCredential[] {
    const names = new Set<string>();
    return input.map((c, i) => {
      if (names.has(c.name)) throw new ApiError('validation', `credential name '${c.name}' is used twice`, { errors: { [`credentials.${i}.name`]: 'duplicate name' } });
      names.add(c.name);
      const secret = c.kind === 'token' ? c.secret : c.password;
      const field = c.kind === 'token' ? 'secret' : 'password';
      const old = previous.find((p) => p.name === c.name && p.kind === c.kind);
      let sealed: string;
      if (secret !== undefined) sealed = this.key.seal(secret, sealContext(id, c.name));
      else if (old) sealed = old.sealed;
      else throw new ApiError('validation', `credential '${c.name}' needs a ${field}`, { errors: { [`credentials.${i}.${field}`]: 'required for a new credential' } });
      return {
        name: c.name,
        kind: c.kind,
        ...(c.kind === 'token' ? { tokenid: c.tokenid } : { username: c.username }),
        ...(c.comment ? { comment: c.comment } : {}),
        sealed,
      };
    });
  }
}

function sealContext(remote: string, credential: string): string {
  return `remote:${remote}/credential:${credential}`;
}

function endpoints(input: EndpointInput[], type: RemoteType): Endpoint[] {
  const seen = new Set<string>();
  return input.map((e, i) => {
    const port = e.port ?? DEFAULT_PORT[type];
    const key = `${e.host.toLowerCase()}:${port}`;
    if (seen.has(key)) throw new ApiError('validation', `endpoint ${key} is listed twice`, { errors: { [`endpoints.${i}`]: 'duplicate endpoint' } });
    seen.add(key);
    return { host: e.host, port, ...(e.fingerprint ? { fingerprint: e.fingerprint.toUpperCase() } : {}) };
  });
}
