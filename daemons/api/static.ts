// Serves the bundled web UI from WEB_ROOT: hashed assets cached for a year, index.html never.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import type { Hono } from 'hono';
import type { AppEnv } from './framework/types.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** Strict CSP: no inline script or style, no eval, no framing. */
export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function mountStatic(app: Hono<AppEnv>, root: string): void {
  const serve = async (file: string, immutable: boolean): Promise<Response | undefined> => {
    const rel = normalize(file).replace(/^(\.\.(\/|$))+/, '');
    if (rel.includes('\0') || rel.startsWith('..')) return undefined;
    let body: Buffer;
    try {
      body = await readFile(join(root, rel));
    } catch {
      return undefined;
    }
    return new Response(new Uint8Array(body), {
      headers: {
        'Content-Type': TYPES[extname(rel)] ?? 'application/octet-stream',
        'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        'Content-Security-Policy': CSP,
        'X-Frame-Options': 'DENY',
      },
    });
  };
  app.get('/assets/*', async (c, next) => (await serve(c.req.path.slice(1), true)) ?? next());
  // Every other non-API GET is the single-page app's index (client-side routes).
  app.get('*', async (c, next) => {
    if (c.req.path.startsWith('/api2/')) return next();
    return (await serve('index.html', false)) ?? next();
  });
}
