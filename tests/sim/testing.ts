// A small client for the simulator's own tests (and anyone's): talks to one simulated node with
// one of the remote's credentials, pinned to nothing (it reports the fingerprint it saw).
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { SimRemote } from './types.ts';

export interface SimResponse {
  status: number;
  reason: string;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The envelope's data (undefined when the body is not a JSON envelope). */
  data: unknown;
  body: Record<string, unknown> | undefined;
  fingerprint: string;
}

export interface ClientOptions {
  node?: number;
  /** Credential name; default the remote's first. */
  credential?: string;
  /** Extra headers (e.g. a ticket cookie); with `anonymous`, no Authorization header. */
  headers?: Record<string, string>;
  anonymous?: boolean;
}

export class SimClient {
  constructor(
    readonly remote: SimRemote,
    readonly opts: ClientOptions = {},
  ) {}

  authorization(): string | undefined {
    if (this.opts.anonymous) return undefined;
    const c = this.opts.credential ? this.remote.credentials.find((x) => x.name === this.opts.credential) : this.remote.credentials[0];
    if (!c || c.kind !== 'token') return undefined;
    return this.remote.type === 'pve' ? `PVEAPIToken=${c.tokenid}=${c.secret}` : `PBSAPIToken=${c.tokenid}:${c.secret}`;
  }

  get(path: string, query?: Record<string, string | number | boolean>): Promise<SimResponse> {
    const qs = query ? '?' + new URLSearchParams(Object.entries(query).map(([k, v]) => [k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v)])).toString() : '';
    return this.request('GET', path + qs);
  }

  post(path: string, body: Record<string, string | number | boolean> = {}): Promise<SimResponse> {
    return this.request('POST', path, body);
  }

  delete(path: string): Promise<SimResponse> {
    return this.request('DELETE', path);
  }

  request(method: string, path: string, body?: Record<string, string | number | boolean>): Promise<SimResponse> {
    const node = this.remote.nodes[this.opts.node ?? 0]!;
    const payload = body ? new URLSearchParams(Object.entries(body).map(([k, v]) => [k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v)])).toString() : undefined;
    const auth = this.authorization();
    const headers: Record<string, string> = { ...(auth ? { authorization: auth } : {}), ...this.opts.headers };
    if (payload !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    return new Promise((resolve, reject) => {
      const req = https.request({ host: node.host, port: node.port, method, path: path.startsWith('/api2') || path === '/' ? path : `/api2/json${path}`, headers, rejectUnauthorized: false, agent: false }, (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate?.()?.fingerprint256 ?? '';
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown> | undefined;
          try {
            parsed = JSON.parse(text) as Record<string, unknown>;
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '', headers: res.headers, text, data: parsed?.data, body: parsed, fingerprint });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
}

/** Polls a task until it has stopped; returns its final status entry. */
export async function waitTask(c: SimClient, upid: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
  const node = upid.split(':')[1]!;
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await c.get(`/nodes/${node}/tasks/${encodeURIComponent(upid)}/status`);
    const d = r.data as Record<string, unknown> | undefined;
    if (d?.status === 'stopped') return d;
    if (Date.now() > end) throw new Error(`task ${upid} still ${String(d?.status ?? r.status)} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 15));
  }
}

/** The final lines of a task's log. */
export async function taskLog(c: SimClient, upid: string): Promise<string[]> {
  const node = upid.split(':')[1]!;
  const r = await c.get(`/nodes/${node}/tasks/${encodeURIComponent(upid)}/log`, { limit: 1000 });
  return (r.data as { t: string }[]).map((l) => l.t);
}
