// The HTTPS server around the hono app: certificate from files (reloaded on SIGHUP with
// setSecureContext, so open connections keep going), a systemd socket or address/port,
// and a drain on shutdown.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Config } from '../common/config.ts';
import type { Logger } from '../common/log.ts';
import { listenFds } from '../common/systemd.ts';
import type { Lifecycle } from './deps.ts';
import type { AppEnv } from './framework/types.ts';

export interface ApiServer {
  server: https.Server;
  port: number;
  reloadCertificate(config: Config): void;
  /** Stops accepting, lets in-flight requests finish (until the deadline), closes idle sockets. */
  drain(timeoutMs: number): Promise<void>;
}

function readTls(config: Config): { cert: Buffer; key: Buffer } {
  return { cert: readFileSync(config.CERT_FILE), key: readFileSync(config.KEY_FILE) };
}

export async function startServer(app: Hono<AppEnv>, config: Config, lifecycle: Lifecycle, log: Logger): Promise<ApiServer> {
  const listener = getRequestListener(app.fetch);
  const server = https.createServer({ ...readTls(config), minVersion: 'TLSv1.2' }, listener);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 30_000;
  server.requestTimeout = 120_000;
  server.on('tlsClientError', (err) => log.debug('tls client error', { err }));

  const fds = listenFds();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (fds.length > 0) server.listen({ fd: fds[0]! }, resolve);
    else server.listen({ host: config.LISTEN_ADDRESS, port: config.PORT, ipv6Only: false }, resolve);
  });
  const port = (server.address() as AddressInfo).port;

  return {
    server,
    port,
    reloadCertificate(next) {
      server.setSecureContext({ ...readTls(next), minVersion: 'TLSv1.2' });
      log.notice('certificate reloaded', { cert: next.CERT_FILE });
    },
    async drain(timeoutMs) {
      lifecycle.draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + timeoutMs;
      while (lifecycle.inFlight > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
        server.closeIdleConnections();
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
