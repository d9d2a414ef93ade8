// Shutdown drain on the real HTTPS server: an in-flight request completes, new ones get 503.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { createApp } from '../../daemons/api/app.ts';
import { NO_ACL } from '../../daemons/api/auth/acl-query.ts';
import { denyAllAccess } from '../../daemons/api/auth/no-access.ts';
import { defineRoute } from '../../daemons/api/framework/route.ts';
import { PrivdClient } from '../../daemons/api/privd-client.ts';
import { startServer } from '../../daemons/api/server.ts';
import { Store } from '../../daemons/api/store/store.ts';
import { selfSignedCertificate } from '../../daemons/common/certificate.ts';
import { parseConfig } from '../../daemons/common/config.ts';
import { Logger, setLogSink } from '../../daemons/common/log.ts';
import { request } from '../harness/https.ts';

test('drain: the in-flight request finishes, a new one gets 503, then the server closes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steward-drain-'));
  const pair = selfSignedCertificate({ hostname: 'localhost' });
  writeFileSync(join(dir, 'api.pem'), pair.cert);
  writeFileSync(join(dir, 'api.key'), pair.key);
  const config = parseConfig('', 'test', { DATA_DIR: dir, CERT_FILE: join(dir, 'api.pem'), KEY_FILE: join(dir, 'api.key'), LISTEN_ADDRESS: '127.0.0.1', PORT: '0', WEB_ROOT: dir });
  const prev = setLogSink(() => {});
  const store = await Store.open(dir);
  const log = new Logger();
  const lifecycle = { draining: false, inFlight: 0 };
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  let entered!: () => void;
  const inside = new Promise<void>((r) => { entered = r; });
  const slow = defineRoute({
    method: 'GET', path: '/slow', summary: 'slow', tags: ['test'], output: z.object({ done: z.boolean() }),
    permission: { public: true }, audit: false,
    handler: async () => { entered(); await held; return { done: true }; },
  });
  const app = createApp({ config, store, log, lifecycle, acl: NO_ACL, remotes: undefined as never, access: denyAllAccess(log), privd: new PrivdClient(() => { throw new Error('x'); }, log) }, [slow]);
  const api = await startServer(app, config, lifecycle, log);
  const url = `https://127.0.0.1:${api.port}/api2/json`;
  try {
    // A keep-alive connection opened before the drain, used again during it.
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    const inflight = request(`${url}/slow`);
    await inside;
    const draining = api.drain(5000);
    // A new request is never served while draining: refused at the socket (server closed)
    // or, if it reached the app, a 503 `unavailable`.
    const during = await request(`${url}/slow`, { agent }).catch((e: NodeJS.ErrnoException) => e);
    if (during instanceof Error) assert.match(String(during.code), /ECONNREFUSED|ECONNRESET/);
    else {
      assert.equal(during.status, 503);
      assert.equal(during.json<{ code: string }>().code, 'unavailable');
    }
    release();
    const done = await inflight;
    assert.equal(done.status, 200);
    assert.deepEqual(done.json(), { data: { done: true } });
    await draining;
    await assert.rejects(request(`${url}/slow`), /ECONNREFUSED/, 'no longer accepting');
    agent.destroy();
  } finally {
    setLogSink(prev);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
