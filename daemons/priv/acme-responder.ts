// The temporary ACME http-01 responder: root can bind :80, the API cannot (and should not
// need CAP_NET_BIND_SERVICE for a few seconds of validation). It answers only
// GET /.well-known/acme-challenge/<token> for the tokens it was given, 404 otherwise, and
// closes itself after a deadline so a lost `acme.unserve` never leaves port 80 open.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../common/log.ts';

const PREFIX = '/.well-known/acme-challenge/';
export const RESPONDER_LIFETIME_MS = 10 * 60_000;

let server: http.Server | undefined;
let tokens = new Map<string, string>();
let deadline: NodeJS.Timeout | undefined;

export async function startResponder(port: number, challenges: { token: string; keyAuthorization: string }[], log: Logger): Promise<number> {
  tokens = new Map(challenges.map((c) => [c.token, c.keyAuthorization]));
  if (deadline) clearTimeout(deadline);
  deadline = setTimeout(() => void stopResponder(log), RESPONDER_LIFETIME_MS);
  deadline.unref();
  if (server) return (server.address() as AddressInfo).port;
  const srv = http.createServer({ maxHeaderSize: 8192 }, (req, res) => {
    const url = req.url ?? '';
    const token = url.startsWith(PREFIX) ? url.slice(PREFIX.length) : '';
    const answer = req.method === 'GET' ? tokens.get(token) : undefined;
    log.info('acme http-01 request', { path: url.slice(0, 200), from: req.socket.remoteAddress, served: answer !== undefined });
    res.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'text/plain', connection: 'close' });
    res.end(answer ?? 'not found');
  });
  srv.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen({ port, ipv6Only: false }, resolve);
  });
  server = srv;
  log.notice('acme http-01 responder started', { port });
  return (srv.address() as AddressInfo).port;
}

export async function stopResponder(log: Logger): Promise<boolean> {
  if (deadline) clearTimeout(deadline);
  deadline = undefined;
  tokens = new Map();
  const srv = server;
  server = undefined;
  if (!srv) return false;
  srv.closeAllConnections();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  log.notice('acme http-01 responder stopped');
  return true;
}
