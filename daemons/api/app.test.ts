import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { parseConfig } from '../common/config.ts';
import { Logger, setLogSink } from '../common/log.ts';
import { ApiError } from '../../shared/errors.ts';
import { createApp } from './app.ts';
import type { AppDeps } from './deps.ts';
import { NO_ACL } from './auth/acl-query.ts';
import { defineRoute } from './framework/route.ts';
import type { AuditEvent, AuthInfo } from './framework/types.ts';
import { ROUTES } from './routes/index.ts';
import { PrivdClient } from './privd-client.ts';
import { Store } from './store/store.ts';

const lines: string[] = [];
let dir: string;
let store: Store;
const audits: AuditEvent[] = [];

/** A test access layer: header `x-test-user` authenticates; `x-test-allow` lists allowed privileges. */
function testDeps(): AppDeps {
  const config = parseConfig('', 'test', { DATA_DIR: dir, MAX_BODY_SIZE: '2048', WEB_ROOT: join(dir, 'www') });
  return {
    config,
    store,
    privd: new PrivdClient(() => { throw new Error('no privd in this test'); }, new Logger()),
    log: new Logger(),
    lifecycle: { draining: false, inFlight: 0 },
    acl: NO_ACL,
    remotes: undefined as never,
    access: {
      authenticate: async (c) => {
        const user = c.req.header('x-test-user');
        if (user === 'bad') throw new ApiError('unauthenticated', 'invalid ticket');
        return user ? ({ userid: user, kind: 'ticket' } satisfies AuthInfo) : null;
      },
      authorize: (auth, path, priv) => auth.userid === 'root@steward' || (path === '/remotes/ok' && priv === 'audit'),
      audit: (e) => void audits.push(e),
    },
  };
}

const testRoutes = [
  defineRoute({
    method: 'POST',
    path: '/test/items/{item}',
    summary: 'test',
    tags: ['test'],
    params: z.strictObject({ item: z.string().max(8) }),
    body: z.strictObject({ count: z.coerce.number().int().min(1).max(5), name: z.string().max(10).optional() }),
    output: z.object({ item: z.string(), count: z.number() }),
    permission: { path: '/remotes/{item}', privilege: 'audit' },
    audit: 'test.create',
    handler: ({ params, body }) => ({ item: params.item, count: body.count, secret: 'dropped by the output schema' }),
  }),
  defineRoute({
    method: 'GET',
    path: '/test/crash',
    summary: 'test',
    tags: ['test'],
    output: z.object({}),
    permission: { public: true },
    audit: false,
    handler: () => {
      throw new Error('boom with /secret/path');
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/test/bad-output',
    summary: 'test',
    tags: ['test'],
    output: z.object({ n: z.number() }),
    permission: { public: true },
    audit: false,
    handler: () => ({ n: 'not a number' }) as never,
  }),
];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steward-app-'));
  store = await Store.open(dir);
  setLogSink((l) => lines.push(l));
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('routes in process', () => {
  const app = () => createApp(testDeps(), [...ROUTES, ...testRoutes]);

  test('GET /version is public and wrapped in the data envelope', async () => {
    const res = await app().request('/api2/json/version');
    assert.equal(res.status, 200);
    const body = (await res.json()) as { data: { version: string; product: string } };
    assert.equal(body.data.product, 'steward');
    assert.match(body.data.version, /^\d+\.\d+\.\d+$/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  test('non-public routes answer 401 without credentials', async () => {
    const res = await app().request('/api2/json/system/status');
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), { data: null, message: 'authentication required', code: 'unauthenticated' });
  });

  test('a bad credential is refused even on a public route', async () => {
    const res = await app().request('/api2/json/version', { headers: { 'x-test-user': 'bad' } });
    assert.equal(res.status, 401);
  });

  test('unknown path → 404 JSON, wrong method → 405 with Allow', async () => {
    const a = app();
    const nf = await a.request('/api2/json/no/such/thing');
    assert.equal(nf.status, 404);
    assert.equal(((await nf.json()) as { code: string }).code, 'not_found');
    const mna = await a.request('/api2/json/version', { method: 'DELETE' });
    assert.equal(mna.status, 405);
    assert.equal(mna.headers.get('allow'), 'GET');
    assert.equal(((await mna.json()) as { code: string }).code, 'method_not_allowed');
  });

  test('the permission on the ACL path is checked before the body is read', async () => {
    const a = app();
    const denied = await a.request('/api2/json/test/items/nope', { method: 'POST', headers: { 'x-test-user': 'u@steward' }, body: 'not json' });
    assert.equal(denied.status, 403);
    assert.equal(((await denied.json()) as { code: string }).code, 'forbidden');
    const ok = await a.request('/api2/json/test/items/ok', { method: 'POST', headers: { 'x-test-user': 'u@steward', 'content-type': 'application/json' }, body: '{"count": 2}' });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { data: { item: 'ok', count: 2 } }, 'fields outside the output schema are dropped');
  });

  test('JSON and form bodies both validate; unknown keys and bad values name the field', async () => {
    const a = app();
    const h = { 'x-test-user': 'root@steward' };
    const form = await a.request('/api2/json/test/items/x1', { method: 'POST', headers: { ...h, 'content-type': 'application/x-www-form-urlencoded' }, body: 'count=3' });
    assert.deepEqual(await form.json(), { data: { item: 'x1', count: 3 } });
    const unknown = await a.request('/api2/json/test/items/x1', { method: 'POST', headers: { ...h, 'content-type': 'application/json' }, body: '{"count":1,"evil":true}' });
    assert.equal(unknown.status, 400);
    const u = (await unknown.json()) as { code: string; errors: Record<string, string> };
    assert.equal(u.code, 'validation');
    assert.equal(u.errors.evil, 'unknown parameter');
    const range = await a.request('/api2/json/test/items/x1', { method: 'POST', headers: { ...h, 'content-type': 'application/json' }, body: '{"count":9,"name":"far too long a name"}' });
    const r = (await range.json()) as { errors: Record<string, string> };
    assert.ok(r.errors.count && r.errors.name, JSON.stringify(r));
    const longParam = await a.request('/api2/json/test/items/waytoolongparam', { method: 'POST', headers: h });
    assert.equal(longParam.status, 400);
    const query = await a.request('/api2/json/version?foo=1');
    assert.equal(query.status, 400, 'unknown query parameters are rejected too');
  });

  test('malformed JSON → 400, other media types → 415, large bodies → 413', async () => {
    const a = app();
    const h = { 'x-test-user': 'root@steward', 'content-type': 'application/json' };
    const bad = await a.request('/api2/json/test/items/x', { method: 'POST', headers: h, body: '{"count":' });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { code: string }).code, 'bad_request');
    const xml = await a.request('/api2/json/test/items/x', { method: 'POST', headers: { ...h, 'content-type': 'text/xml' }, body: '<a/>' });
    assert.equal(xml.status, 415);
    const big = await a.request('/api2/json/test/items/x', { method: 'POST', headers: h, body: JSON.stringify({ count: 1, name: 'x'.repeat(5000) }) });
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { code: string }).code, 'payload_too_large');
  });

  test('internal errors are logged with the request id and answered generically', async () => {
    lines.length = 0;
    const res = await app().request('/api2/json/test/crash');
    assert.equal(res.status, 500);
    const body = (await res.json()) as { code: string; message: string };
    assert.equal(body.code, 'internal');
    assert.doesNotMatch(body.message, /boom|secret|at /);
    const id = /request ([0-9a-f]+)/.exec(body.message)?.[1];
    assert.ok(id);
    assert.ok(lines.some((l) => l.startsWith('<3>internal error') && l.includes(`req=${id}`) && l.includes('boom')));
  });

  test('a handler returning data outside its schema is an internal error, not leaked data', async () => {
    const res = await app().request('/api2/json/test/bad-output');
    assert.equal(res.status, 500);
    assert.doesNotMatch(await res.text(), /not a number/);
  });

  test('audited routes record who, what, target and result', async () => {
    audits.length = 0;
    const a = app();
    await a.request('/api2/json/test/items/ok', { method: 'POST', headers: { 'x-test-user': 'u@steward', 'content-type': 'application/json' }, body: '{"count":1}' });
    await a.request('/api2/json/test/items/ok', { method: 'POST', headers: { 'x-test-user': 'u@steward', 'content-type': 'application/json' }, body: '{"count":7}' });
    await a.request('/api2/json/test/items/nope', { method: 'POST', headers: { 'x-test-user': 'u@steward', 'content-type': 'application/json' }, body: '{"count":1}' });
    assert.deepEqual(audits.map((e) => [e.result, e.code]), [['ok', undefined], ['error', 'validation'], ['denied', 'forbidden']]);
    assert.equal(audits[0]!.action, 'test.create');
    assert.equal(audits[0]!.result, 'ok');
    assert.equal(audits[0]!.auth?.userid, 'u@steward');
    assert.equal(audits[0]!.target, '/test/items/ok');
  });

  test('every request gets one access log line', async () => {
    lines.length = 0;
    await app().request('/api2/json/ping');
    const access = lines.filter((l) => l.startsWith('<6>access'));
    assert.equal(access.length, 1);
    assert.match(access[0]!, /method=GET path=\/api2\/json\/ping status=200 ms=\d+ user=- req=[0-9a-f]+/);
  });

  test('while draining, new requests get 503 unavailable', async () => {
    const deps = testDeps();
    deps.lifecycle.draining = true;
    const res = await createApp(deps).request('/api2/json/ping');
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '5');
    assert.equal(((await res.json()) as { code: string }).code, 'unavailable');
  });

  test('the OpenAPI document is generated from the declarations', async () => {
    const res = await app().request('/api2/openapi.json');
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { 'x-permission': unknown; requestBody?: unknown }>> };
    assert.equal(doc.openapi, '3.1.0');
    const op = doc.paths['/api2/json/test/items/{item}']?.post;
    assert.deepEqual(op?.['x-permission'], { path: '/remotes/{item}', privilege: 'audit' });
    assert.ok(op?.requestBody);
    for (const r of ROUTES) assert.ok(doc.paths[`/api2/json${r.path}`]?.[r.method.toLowerCase()], `${r.method} ${r.path} in OpenAPI`);
  });
});
