import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, testDeps } from '../../../tests/fixtures/api-deps.ts';
import type { TestDeps } from '../../../tests/fixtures/api-deps.ts';
import { startSim } from '../../../tests/sim/index.ts';
import type { Sim } from '../../../tests/sim/index.ts';
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

describe('add-remote wizard: probe-tls and scan, against the simulator', () => {
  let t: TestDeps;
  let app: ReturnType<typeof createApp>;
  let sim: Sim;
  const remote = (id: string) => sim.remotes.find((r) => r.id === id)!;
  const token = (id: string, name = 'steward') => {
    const c = remote(id).credentials.find((x) => x.name === name) as { tokenid: string; secret: string };
    return { kind: 'token', tokenid: c.tokenid, secret: c.secret };
  };
  const scan = (body: Record<string, unknown>) => call(app, 'root@steward', 'POST', '/remotes/scan', body);
  before(async () => {
    t = await testDeps();
    app = createApp(t.deps);
    // Like real clusters: one port per cluster, one address per node, so discovery works.
    sim = await startSim({ scenario: 'demo', addressing: 'address', recordRequests: true });
  });
  after(async () => {
    await sim.close();
    await t.close();
  });

  test('probe-tls shows the fingerprint, chain, product and version — and sends no credential', async () => {
    const n = remote('single').nodes[0]!;
    sim.requests.length = 0;
    const res = await call(app, 'root@steward', 'POST', '/remotes/probe-tls', { host: n.host, port: n.port });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.data.fingerprint, n.fingerprint);
    assert.equal(res.body.data.trusted, false);
    assert.equal(res.body.data.product, 'pve');
    assert.equal(res.body.data.version, sim.world.remote('single')!.version);
    assert.match(res.body.data.chain[0].subject, new RegExp(`CN=${n.name}`));
    assert.ok(sim.requests.length > 0 && sim.requests.every((r) => !r.headers.authorization && !r.headers.cookie), 'only the login page, without credentials');
    const pbs = remote('backup').nodes[0]!;
    assert.equal((await call(app, 'root@steward', 'POST', '/remotes/probe-tls', { host: pbs.host, port: pbs.port })).body.data.product, 'pbs');
  });

  test('probe-tls: unreachable host → remote_unreachable', async () => {
    const lab3 = remote('lab').nodes[2]!; // down in the demo
    const res = await call(app, 'root@steward', 'POST', '/remotes/probe-tls', { host: lab3.host, port: lab3.port });
    assert.equal(res.status, 502);
    assert.equal(res.body.code, 'remote_unreachable');
  });

  test('scan: version, cluster nodes as endpoints with their own fingerprints, privileges', async () => {
    const lab = remote('lab');
    const [n1, n2, n3] = lab.nodes;
    // An auditor token on prod: everything to read, nothing to act with.
    const prod = remote('prod-cluster');
    const p2 = prod.nodes[1]!;
    const res = await scan({ type: 'pve', host: p2.host, port: p2.port, fingerprint: p2.fingerprint, credential: token('prod-cluster', 'auditor') });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const d = res.body.data;
    assert.equal(d.version, sim.world.remote('prod-cluster')!.version);
    assert.equal(d.cluster, 'prod');
    assert.deepEqual(d.endpoints, [p2, prod.nodes[0]!, prod.nodes[2]!].map((n) => ({ host: n.host, port: n.port, fingerprint: n.fingerprint })), 'the chosen node first, every node with its own fingerprint');
    assert.ok(d.warnings.some((w: string) => /VM\.Migrate/.test(w)), 'says what the missing privilege costs');
    assert.equal(d.privileges.find((p: { privileges: string[] }) => p.privileges.includes('VM.Migrate')).granted, false);
    assert.equal(d.privileges.find((p: { privileges: string[] }) => p.privileges.includes('VM.Audit')).granted, true);
    const secret = (token('prod-cluster', 'auditor') as { secret: string }).secret;
    assert.ok(!JSON.stringify(res.body).includes(secret));
    assert.ok(!t.audits.some((a) => JSON.stringify(a).includes(secret)), 'audit holds no secret');

    // A cluster with a node down: it is listed offline, without fingerprint, and left out of the endpoints.
    const labScan = (await scan({ type: 'pve', host: n1!.host, port: n1!.port, fingerprint: n1!.fingerprint, credential: token('lab') })).body.data;
    assert.deepEqual(labScan.endpoints.map((e: { host: string }) => e.host), [n1!.host, n2!.host]);
    const offline = labScan.nodes.find((n: { name: string }) => n.name === 'lab-3');
    assert.deepEqual([offline.online, offline.fingerprint, offline.host], [false, undefined, n3!.host]);
    assert.ok(labScan.warnings.some((w: string) => /lab-3/.test(w)));
    assert.ok(labScan.privileges.every((p: { granted: boolean }) => p.granted));
    // PBS: one host, its own privileges.
    const b = remote('backup').nodes[0]!;
    const pbs = (await scan({ type: 'pbs', host: b.host, port: b.port, fingerprint: b.fingerprint, credential: token('backup') })).body.data;
    assert.deepEqual(pbs.endpoints, [{ host: b.host, port: b.port, fingerprint: b.fingerprint }]);
  });

  test('scan error cases: fingerprint mismatch or changed certificate (nothing sent), bad credential, missing privileges, unreachable, untrusted', async () => {
    const n = remote('single').nodes[0]!;
    const good = { type: 'pve', host: n.host, port: n.port, fingerprint: n.fingerprint, credential: token('single') };
    sim.requests.length = 0;
    const mism = await scan({ ...good, fingerprint: FP });
    assert.equal(mism.body.code, 'fingerprint_mismatch');
    assert.match(mism.body.message!, new RegExp(n.fingerprint));
    assert.deepEqual(sim.requests, [], 'no credential reached a peer with another certificate');

    // The host's certificate changes between the probe and the scan.
    sim.setFault({ remote: 'single' }, { kind: 'cert-changed' });
    await sim.settled();
    try {
      const changed = await scan(good);
      assert.equal(changed.body.code, 'fingerprint_mismatch');
      assert.match(changed.body.message!, new RegExp(sim.world.servedFingerprint(sim.world.remote('single')!.nodes[0]!)));
      assert.deepEqual(sim.requests, []);
    } finally {
      sim.setFault({ remote: 'single' }, null);
      await sim.settled();
    }

    const bad = await scan({ ...good, credential: { ...token('single'), secret: '00000000-0000-0000-0000-000000000000' } });
    assert.equal(bad.body.code, 'remote_auth_failed');
    assert.match(bad.body.message!, /token id and secret/);
    const badPw = await scan({ ...good, credential: { kind: 'password', username: 'root@pam', password: 'wrong' } });
    assert.equal(badPw.body.code, 'remote_auth_failed');
    assert.match(badPw.body.message!, /user name and password/);

    // A pool-limited token: Sys.Audit on its pool is not Sys.Audit on /.
    const p = remote('prod-cluster').nodes[0]!;
    const weak = await scan({ type: 'pve', host: p.host, port: p.port, fingerprint: p.fingerprint, credential: token('prod-cluster', 'customer-a') });
    assert.equal(weak.status, 403);
    assert.equal(weak.body.code, 'remote_forbidden');
    assert.match(weak.body.message!, /Sys\.Audit on \/ \(for cluster and node status/);
    assert.match(weak.body.message!, /VM\.PowerMgmt on \/vms/, 'names every privilege it lacks');

    const lab3 = remote('lab').nodes[2]!;
    const down = await scan({ type: 'pve', host: lab3.host, port: lab3.port, fingerprint: lab3.fingerprint, credential: token('lab') });
    assert.equal(down.body.code, 'remote_unreachable');

    const untrusted = await scan({ ...good, fingerprint: undefined });
    assert.equal(untrusted.body.code, 'remote_tls');
  });
});
