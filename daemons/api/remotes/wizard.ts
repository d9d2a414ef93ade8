// The add-remote wizard: probe a host's certificate (nothing sent), then test a credential
// over the pinned connection, discover a PVE cluster's nodes with their own fingerprints
// (read from the cluster itself, over the connection the admin just pinned, as PDM does)
// and say which features the credential's privileges allow.
import https from 'node:https';
import { ApiError } from '../../../shared/errors.ts';
import { DEFAULT_PORT } from '../../../shared/remotes.ts';
import type { Endpoint, RemoteType } from '../../../shared/remotes.ts';
import { DEFAULT_CLIENT_OPTIONS, RemoteClient } from './client.ts';
import type { ClientCredential, ClientOptions } from './client.ts';
import { ConnectError, pinnedAgent, probeCertificate } from './tls.ts';

const PROBE_TIMEOUT_MS = 5000;

function connectFailure(err: unknown): never {
  if (err instanceof ConnectError) throw new ApiError(err.code, err.message);
  throw err;
}

/** The login page's title and asset version say which product and release answer (no credentials needed). */
async function loginPage(host: string, port: number, fingerprint: string): Promise<{ product?: RemoteType; version?: string }> {
  const agent = pinnedAgent({ host, port, fingerprint }, { maxSockets: 1, connectTimeoutMs: PROBE_TIMEOUT_MS });
  try {
    const html = await new Promise<string>((resolve, reject) => {
      const req = https.request({ agent, host, port, path: '/', method: 'GET', headers: { accept: 'text/html' }, timeout: PROBE_TIMEOUT_MS }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (text.length < 256 * 1024) text += c;
        });
        res.on('end', () => resolve(text));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end();
    });
    const product = /Proxmox Virtual Environment/i.test(html) ? 'pve' : /Proxmox Backup Server/i.test(html) ? 'pbs' : undefined;
    const version = /\.js\?ver=([0-9][0-9A-Za-z.+~-]{0,40})/.exec(html)?.[1];
    return { ...(product ? { product } : {}), ...(version ? { version } : {}) };
  } catch {
    return {};
  } finally {
    agent.destroy();
  }
}

export async function probeTls(host: string, port: number) {
  const probe = await probeCertificate(host, port, PROBE_TIMEOUT_MS).catch(connectFailure);
  const leaf = probe.chain[0]!;
  return {
    host,
    port,
    fingerprint: leaf.fingerprint,
    trusted: probe.trusted,
    ...(probe.trustError ? { 'trust-error': probe.trustError } : {}),
    chain: probe.chain,
    ...(await loginPage(host, port, leaf.fingerprint)),
  };
}

/** Which privileges Steward needs for what, per product, and where (ACL path). */
const NEEDS: Record<RemoteType, { feature: string; path: string; privileges: string[]; essential?: boolean }[]> = {
  pve: [
    { feature: 'cluster and node status, resources', path: '/', privileges: ['Sys.Audit'], essential: true },
    { feature: 'guest inventory and metrics', path: '/vms', privileges: ['VM.Audit'] },
    { feature: 'storage usage', path: '/storage', privileges: ['Datastore.Audit'] },
    { feature: 'start, stop, shutdown, reboot guests', path: '/vms', privileges: ['VM.PowerMgmt'] },
    { feature: 'migrate guests (within the cluster and to another remote)', path: '/vms', privileges: ['VM.Migrate'] },
    { feature: 'updates and subscription', path: '/nodes', privileges: ['Sys.Audit'] },
  ],
  pbs: [
    { feature: 'node status, updates, subscription and tasks', path: '/system', privileges: ['Sys.Audit'], essential: true },
    { feature: 'datastores, snapshots and jobs', path: '/datastore', privileges: ['Datastore.Audit'] },
  ],
};

type Permissions = Record<string, Record<string, unknown>>;

/**
 * Whether a privilege holds at a feature path, as Proxmox computes it: /access/permissions
 * lists each path with its effective privileges (propagation and NoAccess applied), so the
 * deepest listed path that is the feature path or one of its ancestors decides. Privileges
 * on paths below it (a pool, one guest) do not count: a pool-limited token has no
 * `Sys.Audit` on `/` however much it holds on `/pool/x`.
 */
function granted(perms: Permissions, path: string, priv: string): boolean {
  for (let p = path; ; p = p.slice(0, Math.max(1, p.lastIndexOf('/')))) {
    const privs = perms[p];
    if (privs) return Boolean(privs[priv]);
    if (p === '/') return false;
  }
}

export interface ScanInput {
  type: RemoteType;
  host: string;
  port?: number;
  fingerprint?: string;
  credential: ClientCredential;
}

export async function scanRemote(input: ScanInput, options: Partial<ClientOptions> = {}) {
  const port = input.port ?? DEFAULT_PORT[input.type];
  const client = new RemoteClient(
    { id: input.host, type: input.type, endpoints: [{ host: input.host, port, ...(input.fingerprint ? { fingerprint: input.fingerprint } : {}) }], credential: input.credential },
    { ...DEFAULT_CLIENT_OPTIONS, retries: 0, timeoutMs: 15_000, ...options },
  );
  const warnings: string[] = [];
  try {
    const version = (await client.get('/version')) as { version?: string; release?: string } | null;
    if (!version || typeof version.version !== 'string') throw new ApiError('remote_error', `${input.host}: the answer to /version is not a Proxmox version`);

    const perms = await client.get('/access/permissions').catch((err: unknown) => {
      if (err instanceof ApiError && err.code === 'remote_auth_failed') throw err;
      warnings.push(`could not read the credential's privileges (${err instanceof Error ? err.message : String(err)})`);
      return null;
    }) as Permissions | null;
    const privileges = NEEDS[input.type].map((n) => ({
      feature: n.feature,
      path: n.path,
      privileges: n.privileges,
      granted: perms === null ? false : n.privileges.every((p) => granted(perms, n.path, p)),
    }));
    if (perms) {
      const missing = privileges.filter((p) => !p.granted);
      if (missing.length === privileges.length || missing.some((m) => NEEDS[input.type].find((n) => n.feature === m.feature)?.essential)) {
        throw new ApiError('remote_forbidden', `the credential lacks the privileges Steward needs: ${missing.map((m) => `${m.privileges.join(', ')} on ${m.path} (for ${m.feature})`).join('; ')}`);
      }
      for (const m of missing) warnings.push(`without ${m.privileges.join(', ')} on ${m.path}, Steward cannot show or do: ${m.feature}`);
    }

    const base = { type: input.type, version: version.version, ...(version.release ? { release: version.release } : {}), privileges, warnings };
    const self = { host: input.host, port, ...(input.fingerprint ? { fingerprint: input.fingerprint.toUpperCase() } : {}) };
    if (input.type === 'pbs') {
      return { ...base, nodes: [{ name: 'localhost', ...self, online: true }], endpoints: [self] };
    }
    return { ...base, ...(await discoverCluster(client, self, warnings)) };
  } catch (err) {
    if (err instanceof ApiError && err.code === 'remote_auth_failed') {
      throw new ApiError('remote_auth_failed', `${input.host}: the ${input.type === 'pve' ? 'PVE' : 'PBS'} host refused the credential — check the ${input.credential.kind === 'token' ? 'token id and secret' : 'user name and password'}, and that the remote type is right`);
    }
    throw err;
  } finally {
    client.close();
  }
}

interface ClusterEntry {
  type: 'cluster' | 'node';
  name: string;
  ip?: string;
  online?: boolean | number;
  local?: boolean | number;
}

interface CertInfo {
  filename?: string;
  fingerprint?: string;
}

async function discoverCluster(client: RemoteClient, self: Endpoint, warnings: string[]) {
  const status = ((await client.get('/cluster/status')) as ClusterEntry[] | null) ?? [];
  const cluster = status.find((s) => s.type === 'cluster')?.name;
  const nodes = [];
  for (const n of status.filter((s) => s.type === 'node')) {
    const local = Boolean(n.local);
    const online = Boolean(n.online);
    let fingerprint = local ? self.fingerprint : undefined;
    let error: string | undefined;
    if (!local) {
      try {
        const certs = ((await client.get(`/nodes/${encodeURIComponent(n.name)}/certificates/info`)) as CertInfo[] | null) ?? [];
        // A custom certificate (pveproxy-ssl.pem) is what pveproxy serves when present.
        const cert = certs.find((c) => c.filename === 'pveproxy-ssl.pem') ?? certs.find((c) => c.filename === 'pve-ssl.pem');
        fingerprint = cert?.fingerprint?.toUpperCase();
        if (!fingerprint) error = 'the node reports no certificate';
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
    }
    const host = local ? self.host : (n.ip ?? n.name);
    if (error) warnings.push(`node ${n.name}: no fingerprint (${error}); it is left out of the endpoints`);
    nodes.push({ name: n.name, host, port: self.port, ...(fingerprint ? { fingerprint } : {}), online, ...(error ? { error } : {}) });
  }
  if (nodes.length === 0) nodes.push({ name: self.host, ...self, online: true });
  // The node the admin pinned comes first: it is the endpoint they chose.
  nodes.sort((a, b) => Number(b.host === self.host) - Number(a.host === self.host));
  const endpoints = nodes.filter((n) => !n.error && (n.fingerprint || !self.fingerprint)).map((n) => ({ host: n.host, port: n.port, ...(n.fingerprint ? { fingerprint: n.fingerprint } : {}) }));
  return { ...(cluster ? { cluster } : {}), nodes, endpoints };
}
