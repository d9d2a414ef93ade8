// The permission matrix, generated from the route declarations: every route × caller
// (anonymous, no role, Audit, Manage, Admin on /) must be allowed or refused exactly as its
// declared permission says. "Allowed" means the permission check let the request through
// (whatever the handler then answers: 400, 404, …); "refused" means 403 `forbidden` (401
// for anonymous callers). Requests carry valid path parameters and an empty body, so for
// most routes an allowed request stops at input validation and changes nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { z } from 'zod';
import { accessTest, login, PASSWORD, send } from '../../../tests/fixtures/access-deps.ts';
import type { AccessTest } from '../../../tests/fixtures/access-deps.ts';
import type { Role } from '../auth/acl-query.ts';
import { privilegeAtLeast, ROLE_PRIVILEGE } from '../auth/acl-query.ts';
import { ROUTES } from '../routes/index.ts';
import type { Route } from './route.ts';

const CALLERS = ['anonymous', 'none', 'Audit', 'Manage', 'Admin'] as const;
type Caller = (typeof CALLERS)[number];

/** Sample values tried in order for each path parameter; the first its schema accepts is used. */
const SAMPLES = ['other@steward', 'nosuch', '100', 'tok', 'node1', 'store1', 'nosuch!UPID:node1:00001234:00005678:5F000000:qmstart:100:root@pam:', 'UPID:node1:00001234:00005678:5F000000:qmstart:100:root@pam:', 'vm/100/2026-01-01T00:00:00Z', 'qemu', 'recovery'];

function concretePath(r: Route): string {
  return r.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const schema = r.params!.shape[name] as z.ZodType;
    const v = SAMPLES.find((s) => schema.safeParse(s).success);
    if (v === undefined) throw new Error(`${r.method} ${r.path}: no sample value fits parameter ${name}; add one to SAMPLES`);
    return encodeURIComponent(v);
  });
}

function expectation(r: Route, caller: Caller): 'allow' | 'deny' {
  const p = r.permission;
  if ('public' in p) return 'allow';
  if (caller === 'anonymous') return 'deny';
  if ('authenticated' in p) return 'allow';
  if (caller === 'none') return 'deny';
  return privilegeAtLeast(ROLE_PRIVILEGE[caller as Role], p.privilege) ? 'allow' : 'deny';
}

let t: AccessTest;
const sessions = new Map<Caller, { cookie: string; csrf: string }>();

before(async () => {
  t = await accessTest({ RATE_LIMIT_API: '0', RATE_LIMIT_LOGIN: '0' });
  await t.user('other@steward', PASSWORD);
  for (const caller of CALLERS.slice(1)) {
    const userid = `${caller.toLowerCase()}@steward`;
    await t.user(userid, PASSWORD, caller === 'none' ? undefined : (caller as Role));
    sessions.set(caller, await login(t.app, userid, PASSWORD));
  }
});
after(() => t.close());

test('the matrix covers every declared route', () => {
  assert.ok(ROUTES.length > 50, `${ROUTES.length} routes`);
});

for (const caller of CALLERS) {
  test(`permission matrix: ${caller}`, async () => {
    const wrong: string[] = [];
    for (const r of ROUTES) {
      // Logging out would only end this caller's own session; it is tested on its own.
      if (r.method === 'DELETE' && r.path === '/access/ticket') continue;
      const path = concretePath(r);
      const res = await send(t.app, r.method, path, r.method === 'POST' || r.method === 'PUT' ? {} : undefined, sessions.get(caller) ?? {});
      const refused = caller === 'anonymous' && !('public' in r.permission) ? res.body.code === 'unauthenticated' : res.body.code === 'forbidden';
      const want = expectation(r, caller);
      const got = refused ? 'deny' : res.body.code === 'unauthenticated' || res.body.code === 'csrf' ? res.body.code : 'allow';
      if (got !== want) wrong.push(`${r.method} ${r.path}: expected ${want}, got ${res.status} ${res.body.code ?? ''}`);
    }
    assert.deepEqual(wrong, []);
  });
}
