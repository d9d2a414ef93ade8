// One HTTPS server per simulated node, on loopback with its own certificate, answering the
// whole remote's API (any PVE cluster node proxies to the others). Faults act here: a node
// that is down refuses connections, a flapping one drops them half the time, and answers can
// be slow, failed with 5xx, truncated or malformed, or come with another certificate.
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Answer, Router } from './router.ts';
import type { NodeState, World } from './state.ts';
import type { Fault, SimNodeStats, SimRequest } from './types.ts';
import { effectiveFault } from './state.ts';
import { nodeCertificate } from './certs.ts';
import { HttpError } from './http-error.ts';

const MAX_BODY = 256 * 1024;

function loginPage(node: NodeState, version: string): string {
  const title = node.product === 'pve' ? `${node.name} - Proxmox Virtual Environment` : `${node.name} - Proxmox Backup Server`;
  const js = node.product === 'pve' ? `/pve2/js/pvemanagerlib.js?ver=${version}` : `/js/proxmox-backup-gui.js?ver=${version}`;
  return `<!DOCTYPE html>\n<html>\n<head>\n<meta charset="UTF-8" />\n<title>${title}</title>\n<script type="text/javascript" src="${js}"></script>\n</head>\n<body></body>\n</html>\n`;
}

function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export class NodeServer {
  private server: https.Server;
  private readonly sockets = new Set<Socket>();
  private listening = false;
  private closed = false;
  /** Connections, requests answered (also for the benchmark) and peak concurrency. */
  readonly stats: SimNodeStats = { connections: 0, requests: 0, maxInFlight: 0 };
  private inFlight = 0;

  constructor(
    private readonly world: World,
    private readonly router: Router,
    readonly node: NodeState,
    /** Called with every request received, when the simulator records them. */
    private readonly record?: (r: SimRequest) => void,
  ) {
    this.server = https.createServer({ key: node.cert.key, cert: node.cert.cert, keepAlive: true }, (req, res) => this.onRequest(req, res));
    this.server.keepAliveTimeout = 5000;
    this.server.on('secureConnection', () => this.stats.connections++);
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
      const f = effectiveFault(this.node);
      if (f?.kind === 'flapping' && this.flapDown(f.periodMs ?? 5000)) s.destroy();
    });
    this.server.on('tlsClientError', () => undefined);
  }

  private flapDown(period: number): boolean {
    return Math.floor(this.world.now() / period) % 2 === 1;
  }

  get port(): number {
    return this.node.port;
  }

  /** Binds (port 0: the kernel picks), then applies the node's fault. */
  async start(host: string, port = 0, fallback = true): Promise<void> {
    this.node.host = host;
    await this.listen(port).catch(async (err: NodeJS.ErrnoException) => {
      // A remembered port taken by someone else meanwhile: take any.
      if (fallback && port !== 0 && err.code === 'EADDRINUSE') return this.listen(0);
      throw err;
    });
    await this.applyFault();
  }

  /** Releases the port (to retry a group start elsewhere). */
  unbind(): Promise<void> {
    return this.stopListening();
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, this.node.host, () => {
        this.server.off('error', onError);
        this.listening = true;
        this.node.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private stopListening(): Promise<void> {
    if (!this.listening) return Promise.resolve();
    this.listening = false;
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Makes the server match the node's current fault (down: not listening; cert-changed: another certificate). */
  async applyFault(): Promise<void> {
    if (this.closed) return;
    const f = effectiveFault(this.node);
    if (f?.kind === 'cert-changed') {
      this.node.altCert ??= nodeCertificate(this.node.name, [this.node.host]);
      this.server.setSecureContext({ key: this.node.altCert.key, cert: this.node.altCert.cert });
    } else {
      this.server.setSecureContext({ key: this.node.cert.key, cert: this.node.cert.cert });
    }
    // New certificate or not: connections made under the old one end, as after a pveproxy restart.
    if (f?.kind === 'cert-changed' || f?.kind === 'down') for (const s of this.sockets) s.destroy();
    if (f?.kind === 'down') await this.stopListening();
    else if (!this.listening) await this.listen(this.node.port);
  }

  /** A transient answer fault: one answer less to go; cleared when none is left. */
  private consume(f: Fault & { times?: number }): void {
    f.times = (f.times ?? 1) - 1;
    if (f.times > 0) return;
    if (this.node.fault === f) this.node.fault = null;
    else if (this.node.remote.fault === f) this.node.remote.fault = null;
  }

  closeIdleConnections(): void {
    this.server.closeIdleConnections();
  }

  resetStats(): void {
    this.stats.maxInFlight = this.inFlight;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stopListening();
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        res.writeHead(413, 'Request Entity Too Large', { connection: 'close' }).end();
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      this.stats.requests++;
      const text = Buffer.concat(chunks).toString('utf8');
      this.record?.({ remote: this.node.remote.id, node: this.node.name, method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers }, body: text });
      this.stats.maxInFlight = Math.max(this.stats.maxInFlight, ++this.inFlight);
      res.once('close', () => this.inFlight--);
      const answer = this.answer(req, text);
      this.send(req, res, answer);
    });
  }

  private answer(req: IncomingMessage, text: string): Answer {
    const url = new URL(req.url ?? '/', 'https://x');
    const method = req.method ?? 'GET';
    const remote = this.node.remote;
    const version = remote.version;
    if (url.pathname === '/' && method === 'GET') {
      return { status: 200, reason: 'OK', body: loginPage(this.node, version), headers: { 'content-type': 'text/html;charset=UTF-8' } };
    }
    const m = /^\/api2\/json(\/.*)?$/.exec(url.pathname);
    if (!m) {
      const msg = remote.type === 'pve' ? 'no such uri' : 'Not Found';
      return { status: remote.type === 'pve' ? 501 : 404, reason: msg, body: msg, headers: {} };
    }
    let body: Record<string, unknown> = {};
    const ctype = String(req.headers['content-type'] ?? '');
    if (text) {
      if (ctype.includes('json')) {
        try {
          const parsed = JSON.parse(text) as unknown;
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
        } catch {
          return this.router.error(new HttpError(400, 'invalid JSON in request body'));
        }
      } else body = parseForm(text);
    }
    return this.router.handle(this.world, remote, this.node, { method, path: m[1] ?? '/', query: parseForm(url.search.slice(1)), body, headers: req.headers });
  }

  private send(req: IncomingMessage, res: ServerResponse, a: Answer): void {
    const f = effectiveFault(this.node);
    const pve = this.node.product === 'pve';
    let delay = this.world.opts.latencyMs;
    if (f?.kind === 'slow') delay += f.ms;
    if (a.authFailed) delay += this.world.opts.authFailureDelayMs;
    const write = () => {
      if (res.destroyed) return;
      const headers: Record<string, string> = {
        'content-type': 'application/json;charset=UTF-8',
        date: new Date(this.world.nodeNow(this.node)).toUTCString(),
        'cache-control': 'max-age=0',
        pragma: 'no-cache',
        expires: new Date(this.world.nodeNow(this.node)).toUTCString(),
        ...a.headers,
      };
      if (pve) headers.server = 'pve-api-daemon/3.0';
      let { status, reason, body } = a;
      if (f && 'times' in f && f.times !== undefined) this.consume(f);
      if (f?.kind === 'http') {
        status = f.status;
        reason = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' }[f.status];
        body = pve ? JSON.stringify({ data: null, message: `${reason}\n` }) : reason;
      }
      if (f?.kind === 'malformed' && status === 200) body = body.slice(0, Math.max(1, Math.floor(body.length / 2))) + '<html>garbage';
      const payload = Buffer.from(body);
      headers['content-length'] = String(payload.length);
      // pve-http-server closes the connection after an error answer.
      if (pve && status >= 400) headers.connection = 'close';
      res.writeHead(status, reason, headers);
      if (f?.kind === 'truncated' && payload.length > 1) {
        res.write(payload.subarray(0, Math.floor(payload.length / 2)), () => (req.socket as TLSSocket).destroy());
        return;
      }
      res.end(payload);
    };
    if (delay > 0) setTimeout(write, delay);
    else write();
  }
}
