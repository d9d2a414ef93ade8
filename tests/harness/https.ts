// A small HTTPS client for tests: talks to a self-signed Steward, keeps cookies optional.
import https from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = unknown>(): T;
  /** SHA-256 fingerprint of the server certificate this response came over. */
  fingerprint: string;
}

export function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | object; agent?: https.Agent } = {},
): Promise<HttpResponse> {
  const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  const headers: Record<string, string> = { ...opts.headers };
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: opts.method ?? 'GET', headers, rejectUnauthorized: false, agent: opts.agent ?? false }, (res) => {
      const socket = res.socket as TLSSocket;
      const fingerprint = socket.getPeerCertificate?.()?.fingerprint256 ?? '';
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: <T>() => JSON.parse(text) as T,
          fingerprint,
        });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
