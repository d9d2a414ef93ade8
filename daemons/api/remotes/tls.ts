// TLS to remotes. Every connection to an endpoint with a pinned fingerprint is checked
// *before* the socket is handed to the HTTP layer: the agent's createConnection completes
// the handshake, compares the SHA-256 of the leaf certificate with the pin, and only then
// gives the socket to the request — so no request line, header, credential or body is ever
// written to an unpinned peer. (Node's checkServerIdentity is not called for self-signed
// certificates once rejectUnauthorized is off, so it cannot be the check.) Session
// resumption is disabled so every connection presents its certificate.
import https from 'node:https';
import { isIP } from 'node:net';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { fingerprintOfDer } from '../../common/certificate.ts';

/** Below pveproxy's 5 s idle timeout (PVE::APIServer::AnyEvent). */
export const IDLE_CLOSE_MS = 4000;

/** Why a connection could not be used; `code` maps onto the error catalogue. */
export class ConnectError extends Error {
  constructor(
    readonly code: 'remote_unreachable' | 'remote_tls' | 'fingerprint_mismatch' | 'timeout',
    message: string,
    /** For fingerprint_mismatch: what the peer presented. */
    readonly seen?: string,
  ) {
    super(message);
    this.name = 'ConnectError';
  }
}

export interface EndpointTarget {
  host: string;
  port: number;
  /** Pinned fingerprint (AA:BB:…); absent: verify against the system CAs. */
  fingerprint?: string;
}

export function sameFingerprint(a: string, b: string): boolean {
  return a.replace(/:/g, '').toUpperCase() === b.replace(/:/g, '').toUpperCase();
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE', 'EADDRNOTAVAIL']);

function classify(err: NodeJS.ErrnoException, target: EndpointTarget): ConnectError {
  if (err instanceof ConnectError) return err;
  const where = `${target.host}:${target.port}`;
  if (err.code && UNREACHABLE.has(err.code)) return new ConnectError('remote_unreachable', `${where}: ${err.code === 'ENOTFOUND' ? 'host name not found' : err.code === 'ECONNREFUSED' ? 'connection refused' : err.code}`);
  return new ConnectError('remote_tls', `${where}: TLS handshake failed (${err.code ?? err.message})`);
}

/**
 * One client context for every connection (the system CAs, Node's defaults): tls.connect
 * otherwise builds one per connection, a quarter of a handshake's CPU when hundreds of
 * remotes connect at once. It holds no per-remote state — pins are checked per socket, and
 * no session is resumed (none is ever handed back to it).
 */
let clientContext: tls.SecureContext | undefined;

/** Opens a TLS connection; `onSecure` decides what the handshake's result is (it may reject). */
function openTls<T>(target: EndpointTarget, verify: boolean, timeoutMs: number, onSecure: (socket: TLSSocket) => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      secureContext: (clientContext ??= tls.createSecureContext({})),
      host: target.host,
      port: target.port,
      ...(isIP(target.host) ? {} : { servername: target.host }),
      rejectUnauthorized: verify,
      ALPNProtocols: ['http/1.1'],
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ConnectError('timeout', `${target.host}:${target.port}: no TLS connection within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(classify(err, target));
    });
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      try {
        resolve(onSecure(socket));
      } catch (err) {
        socket.destroy();
        reject(err);
      }
    });
  });
}

/** Opens a TLS connection and resolves once it is verified (pin or system CAs). */
export function connectVerified(target: EndpointTarget, timeoutMs: number): Promise<TLSSocket> {
  return openTls(target, !target.fingerprint, timeoutMs, (socket) => {
    if (target.fingerprint) {
      // The native X509 object hashes the DER in C++; getPeerCertificate() would first build
      // a JS object of every field, a visible cost when hundreds of remotes connect at once.
      const seen = socket.getPeerX509Certificate()?.fingerprint256 ?? '';
      if (!sameFingerprint(seen, target.fingerprint)) {
        throw new ConnectError('fingerprint_mismatch', `${target.host}:${target.port}: the certificate changed (fingerprint ${seen}, pinned ${target.fingerprint}); nothing was sent — trust the new fingerprint to continue`, seen);
      }
    }
    socket.removeAllListeners('error');
    return socket;
  });
}

/**
 * A keep-alive agent for one endpoint whose every new socket goes through connectVerified.
 * maxSockets is the per-remote concurrency limit. A socket left idle for `idleMs` is closed
 * by us: pveproxy closes connections idle for 5 s, so closing first means a request is never
 * written to a socket the remote is closing, and the TLS state of hundreds of remotes
 * (about 100 KB per connection) is not held between polls.
 */
export function pinnedAgent(target: EndpointTarget, opts: { maxSockets: number; connectTimeoutMs: number; idleMs?: number }): https.Agent {
  const agent = new https.Agent({ keepAlive: true, maxSockets: opts.maxSockets, maxFreeSockets: opts.maxSockets, maxCachedSessions: 0, scheduling: 'lifo' });
  const idleMs = opts.idleMs ?? IDLE_CLOSE_MS;
  // The agent destroys a free socket that times out; a socket in use has no idle timer
  // (the client's own request timer covers it).
  const hooks = agent as unknown as { keepSocketAlive(s: Socket): boolean; reuseSocket(s: Socket, req: unknown): void };
  // Node's own reuseSocket marks the request `reusedSocket` (the client tells a connection
  // the remote had closed by it) and drops the free-socket error listener: keep it.
  const reuse = hooks.reuseSocket.bind(agent);
  hooks.keepSocketAlive = (socket) => {
    socket.setKeepAlive(true, 1000);
    socket.unref();
    socket.setTimeout(idleMs);
    return true;
  };
  hooks.reuseSocket = (socket, req) => {
    socket.setTimeout(0);
    reuse(socket, req);
  };
  (agent as unknown as { createConnection: unknown }).createConnection = (_options: unknown, cb: (err: Error | null, socket?: Duplex) => void) => {
    connectVerified(target, opts.connectTimeoutMs).then((s) => cb(null, s), (err: Error) => cb(err));
    return undefined;
  };
  return agent;
}

function dn(x: object | undefined): string {
  if (!x) return '';
  return Object.entries(x).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`).join(', ');
}

export interface ProbedCertificate {
  subject: string;
  issuer: string;
  fingerprint: string;
  'not-before': string;
  'not-after': string;
  san?: string;
}

/** The certificate chain a host presents, and whether the system CAs trust it. Sends nothing. */
export function probeCertificate(host: string, port: number, timeoutMs: number): Promise<{ chain: ProbedCertificate[]; trusted: boolean; trustError?: string }> {
  return openTls({ host, port }, false, timeoutMs, (socket) => {
    const chain: ProbedCertificate[] = [];
    const seen = new Set<string>();
    let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
    while (cert && cert.raw && chain.length < 10) {
      const fp = fingerprintOfDer(cert.raw);
      if (seen.has(fp)) break;
      seen.add(fp);
      chain.push(describe(cert, fp));
      cert = cert.issuerCertificate;
    }
    const trusted = socket.authorized;
    const trustError = socket.authorizationError ? String(socket.authorizationError) : undefined;
    socket.destroy();
    if (chain.length === 0) throw new ConnectError('remote_tls', `${host}:${port}: the server presented no certificate`);
    return { chain, trusted, ...(trustError ? { trustError } : {}) };
  });
}

function describe(cert: PeerCertificate, fp: string): ProbedCertificate {
  return {
    subject: dn(cert.subject),
    issuer: dn(cert.issuer),
    fingerprint: fp,
    'not-before': new Date(cert.valid_from).toISOString(),
    'not-after': new Date(cert.valid_to).toISOString(),
    ...(cert.subjectaltname ? { san: cert.subjectaltname } : {}),
  };
}
