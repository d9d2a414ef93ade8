import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, testDeps } from '../../../tests/fixtures/api-deps.ts';
import type { TestDeps } from '../../../tests/fixtures/api-deps.ts';
import { closedPort, startFakeProxmox } from '../../../tests/fixtures/fake-proxmox.ts';
import type { FakeProxmox, SeenRequest } from '../../../tests/fixtures/fake-proxmox.ts';
import { createApp } from '../app.ts';

const FP = 'AB:'.repeat(31) + 'CD';
const SECRET = 'f1e2d3c4-aaaa-bbbb-cccc-0123456789ab';
const PASSWORD = 'correct horse battery staple';

function newRemote(id = 'pve1') {
  return {
    id,
    type: 'pve',
    endpoints: [{ host: 'pve1.example.com', fingerprint: FP }, { host: '10.0.0.2', port: 8006, fingerprint: FP.toLowerCase() }],
    credentials: [
      { name: 'admin', kind: 'token', tokenid: 'steward@pve!full', secret: SECRET },
      { name: 'ops', kind: 'password', username: 'ops@pve', password: PASSWORD },
    ],
    comment: 'main cluster',
  };
}

describe('/remotes CRUD', () => {
  let t: TestDeps;
  let app: ReturnType<typeof createApp>;
  before(async () => {
    t = await testDeps();
    app = createApp(t.deps);
  });
  after(() => t.close());

  test('an admin adds a remote; the answer and the stored entry hold no secret', async () => {
    const res = await call(app, 'root@steward', 'POST', '/remotes', newRemote());
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const r = res.body.data;
    assert.equal(r.id, 'pve1');
    assert.deepEqual(r.endpoints, [
      { host: 'pve1.example.com', port: 8006, fingerprint: FP },
      { host: '10.0.0.2', port: 8006, fingerprint: FP },
    ]);
    assert.deepEqual(r.credentials, [
      { name: 'admin', kind: 'token', tokenid: 'steward@pve!full' },
      { name: 'ops', kind: 'password', username: 'ops@pve' },
    ]);
    assert.equal(r['poll-interval'], 60);
    assert.equal(r.enabled, true);
    assert.ok(!JSON.stringify(res.body).includes(SECRET));
    const raw = JSON.stringify(t.deps.store.collection('remotes').get('pve1')!.value);
    assert.ok(!raw.includes(SECRET) && !raw.includes(PASSWORD), 'secrets are sealed at rest');
    assert.deepEqual(t.deps.remotes.repo.clientCredential(t.deps.remotes.repo.get('pve1').value, 'ops'), { kind: 'password', username: 'ops@pve', password: PASSWORD });
    assert.equal(t.audits.at(-1)!.action, 'remote.create');
    assert.equal(t.audits.at(-1)!.target, '/remotes/pve1');
  });

  test('form-encoded: endpoints as Proxmox property strings', async () => {
    const form = new URLSearchParams({ id: 'pbs1', type: 'pbs', endpoints: `host=pbs.example.com,fingerprint=${FP}` });
    // credentials are structured; a form body cannot carry them, so this one is refused clearly
    const res = await app.request('/api2/json/remotes', { method: 'POST', headers: { 'x-test-user': 'root@steward', 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { errors: Record<string, string> }).errors.credentials !== undefined, true);
    const ok = await call(app, 'root@steward', 'POST', '/remotes', { id: 'pbs1', type: 'pbs', endpoints: `host=pbs.example.com,fingerprint=${FP}`, credentials: [{ name: 'a', kind: 'token', tokenid: 'root@pam!x', secret: 's' }] });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.deepEqual(ok.body.data.endpoints, [{ host: 'pbs.example.com', port: 8007, fingerprint: FP }]);
  });

  test('bad input: field errors, duplicate id 409, duplicate endpoint, missing secret', async () => {
    const bad = await call(app, 'root@steward', 'POST', '/remotes', { ...newRemote('x1'), endpoints: [{ host: 'h', fingerprint: 'AB:CD' }] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'validation');
    assert.match(Object.keys(bad.body.errors!).join(), /endpoints/);
    assert.equal((await call(app, 'root@steward', 'POST', '/remotes', newRemote())).body.code, 'conflict');
    const dup = await call(app, 'root@steward', 'POST', '/remotes', { ...newRemote('x2'), endpoints: [{ host: 'a' }, { host: 'A', port: 8006 }] });
    assert.equal(dup.body.code, 'validation');
    const nosecret = await call(app, 'root@steward', 'POST', '/remotes', { ...newRemote('x3'), credentials: [{ name: 'a', kind: 'token', tokenid: 'root@pam!x' }] });
    assert.deepEqual(nosecret.body.errors, { 'credentials.0.secret': 'required for a new credential' });
    assert.equal((await call(app, 'root@steward', 'POST', '/remotes', { ...newRemote('x4'), 'poll-interval': 5 })).body.code, 'validation');
  });

  test('update with digest: stale digest 409; a credential without secret keeps the stored one', async () => {
    const cur = (await call(app, 'root@steward', 'GET', '/remotes/pve1')).body.data;
    const upd = await call(app, 'root@steward', 'PUT', '/remotes/pve1', {
      digest: cur.digest,
      'poll-interval': 30,
      credentials: [{ name: 'admin', kind: 'token', tokenid: 'steward@pve!full' }],
      delete: ['comment'],
    });
    assert.equal(upd.status, 200, JSON.stringify(upd.body));
    assert.equal(upd.body.data['poll-interval'], 30);
    assert.equal(upd.body.data.comment, undefined);
    assert.notEqual(upd.body.data.digest, cur.digest);
    assert.equal((t.deps.remotes.repo.clientCredential(t.deps.remotes.repo.get('pve1').value, null) as { secret: string }).secret, SECRET);
    const stale = await call(app, 'root@steward', 'PUT', '/remotes/pve1', { digest: cur.digest, enabled: false });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.code, 'conflict');
  });

  test('the list shows only remotes the caller has a role on; non-admins cannot change them', async () => {
    t.grants.set('alice@steward', [{ path: '/remotes/pbs1', role: 'Audit' }]);
    const list = await call(app, 'alice@steward', 'GET', '/remotes');
    assert.deepEqual(list.body.data.map((r: { id: string }) => r.id), ['pbs1']);
    assert.equal((await call(app, 'alice@steward', 'GET', '/remotes/pve1')).status, 403);
    assert.equal((await call(app, 'alice@steward', 'PUT', '/remotes/pbs1', { enabled: false })).status, 403);
    assert.equal((await call(app, 'alice@steward', 'POST', '/remotes', newRemote('x5'))).status, 403);
    assert.equal((await call(app, null, 'GET', '/remotes')).status, 401);
    assert.deepEqual((await call(app, 'root@steward', 'GET', '/remotes')).body.data.map((r: { id: string }) => r.id), ['pbs1', 'pve1']);
  });

  test('delete, then 404', async () => {
    assert.equal((await call(app, 'root@steward', 'DELETE', '/remotes/pbs1')).status, 200);
    const gone = await call(app, 'root@steward', 'GET', '/remotes/pbs1');
    assert.equal(gone.status, 404);
    assert.equal(gone.body.code, 'not_found');
  });
});

describe('add-remote wizard: probe-tls and scan', () => {
  let t: TestDeps;
  let app: ReturnType<typeof createApp>;
  let fake: FakeProxmox;
  let perms: Record<string, Record<string, number>>;
  const token = { kind: 'token', tokenid: 'steward@pve!dash', secret: SECRET };
  before(async () => {
    t = await testDeps();
    app = createApp(t.deps);
    fake = await startFakeProxmox(() => undefined);
    fake.handler = (r: SeenRequest) => {
      if (r.path === '/') return { raw: '<html><head><title>pve1 - Proxmox Virtual Environment</title><script src="/pve2/js/pvemanagerlib.js?ver=9.0.3"></script></head></html>' };
      if (r.headers.authorization !== `PVEAPIToken=${token.tokenid}=${token.secret}`) return { status: 401, reason: 'authentication failure' };
      if (r.path === '/api2/json/version') return { data: { version: '9.0.3', release: '9.0', repoid: 'abc' } };
      if (r.path === '/api2/json/access/permissions') return { data: perms };
      if (r.path === '/api2/json/cluster/status') {
        return { data: [
          { type: 'cluster', id: 'cluster', name: 'prod', nodes: 3, quorate: 1 },
          { type: 'node', id: 'node/n1', name: 'n1', ip: '10.0.0.1', online: 1, local: 1 },
          { type: 'node', id: 'node/n2', name: 'n2', ip: '10.0.0.2', online: 1, local: 0 },
          { type: 'node', id: 'node/n3', name: 'n3', ip: '10.0.0.3', online: 0, local: 0 },
        ] };
      }
      if (r.path === '/api2/json/nodes/n2/certificates/info') return { data: [{ filename: 'pve-root-ca.pem', fingerprint: 'CA:'.repeat(31) + 'CA' }, { filename: 'pve-ssl.pem', fingerprint: FP.toLowerCase() }] };
      if (r.path === '/api2/json/nodes/n3/certificates/info') return { status: 595, reason: 'no route to host' };
      return undefined;
    };
  });
  after(async () => {
    await fake.close();
    await t.close();
  });

  test('probe-tls shows the fingerprint, chain, product and version — and sends no credential', async () => {
    fake.requests.length = 0;
    const res = await call(app, 'root@steward', 'POST', '/remotes/probe-tls', { host: '127.0.0.1', port: fake.port });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.data.fingerprint, fake.fingerprint);
    assert.equal(res.body.data.trusted, false);
    assert.equal(res.body.data.product, 'pve');
    assert.equal(res.body.data.version, '9.0.3');
    assert.match(res.body.data.chain[0].subject, /CN=fake-pve/);
    assert.ok(fake.requests.every((r) => !r.headers.authorization && !r.headers.cookie));
  });

  test('probe-tls: unreachable host → remote_unreachable', async () => {
    const res = await call(app, 'root@steward', 'POST', '/remotes/probe-tls', { host: '127.0.0.1', port: await closedPort() });
    assert.equal(res.status, 502);
    assert.equal(res.body.code, 'remote_unreachable');
  });

  test('scan: version, cluster nodes as endpoints with their own fingerprints, privileges', async () => {
    perms = { '/': { 'Sys.Audit': 1, 'VM.Audit': 1, 'Datastore.Audit': 1, 'VM.PowerMgmt': 1 } };
    const res = await call(app, 'root@steward', 'POST', '/remotes/scan', { type: 'pve', host: '127.0.0.1', port: fake.port, fingerprint: fake.fingerprint, credential: token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const d = res.body.data;
    assert.equal(d.version, '9.0.3');
    assert.equal(d.cluster, 'prod');
    assert.deepEqual(d.endpoints, [
      { host: '127.0.0.1', port: fake.port, fingerprint: fake.fingerprint },
      { host: '10.0.0.2', port: fake.port, fingerprint: FP },
    ]);
    assert.equal(d.nodes.find((n: { name: string }) => n.name === 'n3').online, false);
    assert.ok(d.warnings.some((w: string) => /n3/.test(w)));
    assert.ok(d.warnings.some((w: string) => /VM\.Migrate/.test(w)), 'says what the missing privilege costs');
    assert.equal(d.privileges.find((p: { privileges: string[] }) => p.privileges.includes('VM.Migrate')).granted, false);
    assert.ok(!JSON.stringify(res.body).includes(SECRET));
    assert.ok(!t.audits.some((a) => JSON.stringify(a).includes(SECRET)), 'audit holds no secret');
  });

  test('scan error cases: fingerprint mismatch (nothing sent), bad credential, missing privileges, unreachable', async () => {
    fake.requests.length = 0;
    const mism = await call(app, 'root@steward', 'POST', '/remotes/scan', { type: 'pve', host: '127.0.0.1', port: fake.port, fingerprint: FP, credential: token });
    assert.equal(mism.body.code, 'fingerprint_mismatch');
    assert.equal(fake.requests.length, 0, 'no credential reached a peer with another certificate');

    const bad = await call(app, 'root@steward', 'POST', '/remotes/scan', { type: 'pve', host: '127.0.0.1', port: fake.port, fingerprint: fake.fingerprint, credential: { ...token, secret: 'wrong' } });
    assert.equal(bad.body.code, 'remote_auth_failed');
    assert.match(bad.body.message!, /token id and secret/);

    perms = { '/pool/customer': { 'VM.Audit': 1 } };
    const weak = await call(app, 'root@steward', 'POST', '/remotes/scan', { type: 'pve', host: '127.0.0.1', port: fake.port, fingerprint: fake.fingerprint, credential: token });
    assert.equal(weak.status, 403);
    assert.equal(weak.body.code, 'remote_forbidden');
    assert.match(weak.body.message!, /Sys\.Audit on \/ \(for cluster and node status/);

    const down = await call(app, 'root@steward', 'POST', '/remotes/scan', { type: 'pve', host: '127.0.0.1', port: await closedPort(), fingerprint: fake.fingerprint, credential: token });
    assert.equal(down.body.code, 'remote_unreachable');

    const untrusted = await call(app, 'root@steward', 'POST', '/remotes/scan', { type: 'pve', host: '127.0.0.1', port: fake.port, credential: token });
    assert.equal(untrusted.body.code, 'remote_tls');
  });
});
