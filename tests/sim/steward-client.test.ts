// Steward's own remote client and add-remote wizard against the simulator: what they send
// must pass the schema extract (the simulator refuses anything else with 400, and records any
// answer that breaks the schema), and they must cope with the simulator's faults the way they
// would with a real cluster.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim } from './index.ts';
import type { Observed, Sim, SimRemote } from './index.ts';
import { DEFAULT_CLIENT_OPTIONS, RemoteClient } from '../../daemons/api/remotes/client.ts';
import type { ClientCredential } from '../../daemons/api/remotes/client.ts';
import { scanRemote } from '../../daemons/api/remotes/wizard.ts';

let sim: Sim;
const observed: Observed[] = [];
before(async () => {
  // Like real clusters: one port per cluster, one address per node, so discovery works.
  sim = await startSim({ scenario: 'demo', addressing: 'address', taskSpeed: 500, observe: (o) => observed.push(o) });
});
after(() => sim.close());

const remote = (id: string) => sim.remotes.find((r) => r.id === id)!;
// Steward's defaults, with short waits: a GET that meets a connection the node just dropped is retried.
const opts = { ...DEFAULT_CLIENT_OPTIONS, connectTimeoutMs: 2000, timeoutMs: 5000, backoffMs: 10 };

function client(r: SimRemote, credential: string): RemoteClient {
  const c = r.credentials.find((x) => x.name === credential)!;
  const cred: ClientCredential = c.kind === 'token' ? { kind: 'token', tokenid: c.tokenid, secret: c.secret } : { kind: 'password', username: c.username, password: c.password };
  return new RemoteClient({ id: r.id, type: r.type, endpoints: r.nodes.map((n) => ({ host: n.host, port: n.port, fingerprint: n.fingerprint })), credential: cred }, opts);
}

test('every node of a cluster is on the same port and its own address', () => {
  const prod = remote('prod-cluster');
  assert.equal(new Set(prod.nodes.map((n) => n.port)).size, 1);
  assert.equal(new Set(prod.nodes.map((n) => n.host)).size, 3);
  assert.ok(prod.nodes.every((n) => /^127\.1\.\d+\.\d+$/.test(n.host)));
});

test("Steward's client reads a cluster with a token and with a password (ticket), failing over a node that is down", async () => {
  const lab = client(remote('lab'), 'steward');
  try {
    const res = (await lab.get('/cluster/resources')) as { type: string }[];
    assert.ok(res.some((r) => r.type === 'qemu'));
    sim.setFault({ remote: 'lab', node: 'lab-1' }, { kind: 'down' });
    await sim.settled();
    assert.ok(Array.isArray(await lab.get('/cluster/tasks')), 'answered by lab-2');
  } finally {
    sim.setFault({ remote: 'lab', node: 'lab-1' }, null);
    await sim.settled();
    lab.close();
  }
  const pw = client(remote('prod-cluster'), 'root-password');
  try {
    assert.ok(Array.isArray(await pw.get('/nodes')));
    // Tickets expire: the client logs in again and carries on.
    sim.setFault({ remote: 'prod-cluster' }, { kind: 'expired-ticket' });
    await sim.settled();
    assert.ok(Array.isArray(await pw.get('/nodes')));
    const upid = await pw.post('/nodes/pve-prod-1/qemu/121/status/start');
    assert.match(String(upid), /^UPID:pve-prod-1:.*:qmstart:121:root@pam:$/);
  } finally {
    sim.setFault({ remote: 'prod-cluster' }, null);
    await sim.settled();
    pw.close();
  }
});

test("Steward's client notices a changed certificate and keeps to the endpoints it can trust", async () => {
  const c = client(remote('prod-cluster'), 'steward');
  try {
    sim.setFault({ remote: 'prod-cluster', node: 'pve-prod-1' }, { kind: 'cert-changed' });
    await sim.settled();
    assert.ok(Array.isArray(await c.get('/cluster/status')));
    assert.ok(c.endpoints[0]!.mismatch, 'the first endpoint is marked');
  } finally {
    sim.setFault({ remote: 'prod-cluster', node: 'pve-prod-1' }, null);
    await sim.settled();
    c.close();
  }
});

test('the add-remote wizard discovers a cluster from one node, with every fingerprint', async () => {
  const prod = remote('prod-cluster');
  const token = prod.credentials.find((c) => c.name === 'steward') as { tokenid: string; secret: string };
  const n = prod.nodes[1]!;
  const scan = await scanRemote({ type: 'pve', host: n.host, port: n.port, fingerprint: n.fingerprint, credential: { kind: 'token', tokenid: token.tokenid, secret: token.secret } }, { retries: 0 });
  assert.equal(scan.cluster, 'prod');
  const found = Object.fromEntries(scan.nodes.map((x) => [x.name, x]));
  for (const node of prod.nodes) {
    assert.equal(found[node.name]?.host, node.host);
    assert.equal(found[node.name]?.fingerprint, node.fingerprint);
  }
  assert.equal(scan.endpoints[0]!.host, n.host, 'the node the admin chose comes first');
  // The standalone host the demo leaves for the wizard.
  const single = remote('single');
  const st = single.credentials.find((c) => c.kind === 'token') as { tokenid: string; secret: string };
  const s = await scanRemote({ type: 'pve', host: single.nodes[0]!.host, port: single.nodes[0]!.port, fingerprint: single.nodes[0]!.fingerprint, credential: { kind: 'token', tokenid: st.tokenid, secret: st.secret } }, { retries: 0 });
  assert.equal(s.nodes.length, 1);
  assert.equal(s.cluster, undefined);
});

test('the add-remote wizard reads a PBS host and its privileges; a pool-limited PVE token is refused by its own check for lacking Sys.Audit on /', async () => {
  const pbs = remote('backup');
  const tok = pbs.credentials.find((c) => c.name === 'steward') as { tokenid: string; secret: string };
  const n = pbs.nodes[0]!;
  const scan = await scanRemote({ type: 'pbs', host: n.host, port: n.port, fingerprint: n.fingerprint, credential: { kind: 'token', tokenid: tok.tokenid, secret: tok.secret } }, { retries: 0 });
  assert.equal(scan.type, 'pbs');
  assert.ok(scan.privileges.every((p) => p.granted), JSON.stringify(scan.privileges));
  const audit = pbs.credentials.find((c) => c.name === 'auditor') as { tokenid: string; secret: string };
  const auditScan = await scanRemote({ type: 'pbs', host: n.host, port: n.port, fingerprint: n.fingerprint, credential: { kind: 'token', tokenid: audit.tokenid, secret: audit.secret } }, { retries: 0 });
  assert.ok(auditScan.privileges.every((p) => p.granted), 'Audit on / covers what Steward reads');

  const prod = remote('prod-cluster');
  const limited = prod.credentials.find((c) => c.name === 'customer-a') as { tokenid: string; secret: string };
  const p0 = prod.nodes[0]!;
  // The token holds Sys.Audit on /pool/customer-a (PVEAuditor there), which is not Sys.Audit on /:
  // the wizard's own privilege check refuses it before asking the cluster for its status.
  const before = observed.length;
  await assert.rejects(
    scanRemote({ type: 'pve', host: p0.host, port: p0.port, fingerprint: p0.fingerprint, credential: { kind: 'token', tokenid: limited.tokenid, secret: limited.secret } }, { retries: 0 }),
    (err: Error & { code?: string }) => err.code === 'remote_forbidden' && /lacks the privileges Steward needs: Sys\.Audit on \/ \(for cluster and node status/.test(err.message),
  );
  assert.deepEqual(observed.slice(before).map((o) => o.key), ['pve GET /version', 'pve GET /access/permissions']);
});

test('nothing Steward sent was refused and nothing the simulator answered broke the schema', () => {
  const refused = observed.filter((o) => o.status === 400);
  assert.deepEqual(refused, []);
  assert.deepEqual(observed.flatMap((o) => o.problems.map((p) => `${o.key} ${p.at}: ${p.message}`)), []);
  assert.ok(observed.length > 10);
});
