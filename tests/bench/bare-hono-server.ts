// The baseline: a bare hono route on the same HTTPS setup as steward-api (node:https,
// @hono/node-server's request listener, same certificate), and nothing else.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';

const [cert, key] = process.argv.slice(2);
const app = new Hono();
app.get('/api2/json/version', (c) => c.json({ data: { version: '0.1.0', release: '0.1', product: 'steward' } }));
const server = https.createServer({ cert: readFileSync(cert!), key: readFileSync(key!), minVersion: 'TLSv1.2' }, getRequestListener(app.fetch));
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`port=${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
