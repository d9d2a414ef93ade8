// Authentication and permissions: tokens and tickets in Proxmox's wire format, failures with
// Proxmox's reason phrases, and ACLs that make a pool-limited token really see less.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim } from './index.ts';
import type { Sim, SimRemote } from './index.ts';
import { SimClient, waitTask } from './testing.ts';
import type { PbsState, PveState } from './state.ts';

let sim: Sim;
let prodRemote: SimRemote;
let pbsRemote: SimRemote;
before(async () => {
  sim = await startSim({ scenario: 'demo', taskSpeed: 500 });
  prodRemote = sim.remotes.find((r) => r.id === 'prod-cluster')!;
  pbsRemote = sim.remotes.find((r) => r.id === 'backup')!;
});
after(() => sim.close());

const password = (r: SimRemote) => (r.credentials.find((c) => c.kind === 'password') as { password: string }).password;

test('a wrong token secret or none at all: 401 with the reason phrase and no body (PVE)', async () => {
  const bad = new SimClient(prodRemote, { anonymous: true, headers: { authorization: 'PVEAPIToken=root@pam!steward=00000000-0000-0000-0000-000000000000' } });
  const r = await bad.get('/version');
  assert.equal(r.status, 401);
  assert.equal(r.reason, 'invalid token value!');
  assert.equal(r.text, '');
  const none = await new SimClient(prodRemote, { anonymous: true }).get('/version');
  assert.deepEqual([none.status, none.reason], [401, 'No ticket']);
  // PBS's separator is ':'; a PVE-style header is refused.
  const pbsToken = pbsRemote.credentials[0] as { tokenid: string; secret: string };
  const wrong = await new SimClient(pbsRemote, { anonymous: true, headers: { authorization: `PBSAPIToken=${pbsToken.tokenid}=${pbsToken.secret}` } }).get('/version');
  assert.equal(wrong.status, 401);
  assert.match(wrong.text, /authentication failed/);
});

test('ticket login: cookie for reads, CSRF token required for writes, wrong password refused', async () => {
  const anon = new SimClient(prodRemote, { anonymous: true });
  const fail = await anon.post('/access/ticket', { username: 'root@pam', password: 'nope' });
  assert.deepEqual([fail.status, fail.reason], [401, 'authentication failure']);
  const ok = await anon.post('/access/ticket', { username: 'root', realm: 'pam', password: password(prodRemote) });
  assert.equal(ok.status, 200);
  const { ticket, CSRFPreventionToken, username, clustername } = ok.data as Record<string, string>;
  assert.match(ticket!, /^PVE:root@pam:[0-9A-F]{8}::/);
  assert.equal(username, 'root@pam');
  assert.equal(clustername, 'prod');
  const cookie = `PVEAuthCookie=${encodeURIComponent(ticket!)}`;
  const reader = new SimClient(prodRemote, { anonymous: true, headers: { cookie } });
  assert.equal((await reader.get('/cluster/resources')).status, 200);
  // Any node of the cluster accepts the ticket.
  assert.equal((await new SimClient(prodRemote, { anonymous: true, node: 2, headers: { cookie } }).get('/nodes')).status, 200);
  const noCsrf = await reader.post('/nodes/pve-prod-1/qemu/121/status/stop');
  assert.deepEqual([noCsrf.status, noCsrf.reason], [401, 'Permission denied - invalid csrf token']);
  const writer = new SimClient(prodRemote, { anonymous: true, headers: { cookie, csrfpreventiontoken: CSRFPreventionToken! } });
  const st = await writer.post('/nodes/pve-prod-1/qemu/121/status/stop');
  assert.equal(st.status, 200);
  assert.match(String(st.data), /:qmstop:121:root@pam:$/);
  // PBS likewise, with its own cookie name.
  const pbsLogin = await new SimClient(pbsRemote, { anonymous: true }).post('/access/ticket', { username: 'root@pam', password: password(pbsRemote) });
  const pbsTicket = (pbsLogin.data as { ticket: string }).ticket;
  assert.match(pbsTicket, /^PBS:root@pam:/);
  assert.equal((await new SimClient(pbsRemote, { anonymous: true, headers: { cookie: `PBSAuthCookie=${encodeURIComponent(pbsTicket)}` } }).get('/admin/datastore')).status, 200);
  assert.equal((await new SimClient(pbsRemote, { anonymous: true, headers: { cookie: `PVEAuthCookie=${encodeURIComponent(pbsTicket)}` } }).get('/admin/datastore')).status, 401);
});

test('a pool-limited token sees only its pool in every listing', async () => {
  const cust = new SimClient(prodRemote, { credential: 'customer-a' });
  const res = (await cust.get('/cluster/resources')).data as { type: string; vmid?: number; pool?: string; cpu?: number; id: string }[];
  const guests = res.filter((r) => r.type === 'qemu' || r.type === 'lxc');
  assert.deepEqual(guests.map((g) => g.vmid).sort(), [200, 201, 202, 203, 204]);
  assert.ok(guests.every((g) => g.pool === 'customer-a'));
  assert.deepEqual(res.filter((r) => r.type === 'pool').map((r) => r.id), ['/pool/customer-a']);
  assert.equal(res.filter((r) => r.type === 'storage').length, 0, 'no storage without Datastore.Audit');
  const nodes = res.filter((r) => r.type === 'node');
  assert.equal(nodes.length, 3, 'node entries are always listed …');
  assert.ok(nodes.every((n) => n.cpu === undefined), '… but without their figures');
  const onNode = (await cust.get('/nodes/pve-prod-1/qemu')).data as { vmid: number }[];
  assert.deepEqual(onNode.map((g) => g.vmid).sort(), [200]);
  const pools = (await cust.get('/pools')).data as { poolid: string }[];
  assert.deepEqual(pools.map((p) => p.poolid), ['customer-a']);
});

test('a pool-limited token gets 403 on everything else, and may act on its own guests', async () => {
  const cust = new SimClient(prodRemote, { credential: 'customer-a' });
  const other = await cust.get('/nodes/pve-prod-1/qemu/100/status/current');
  assert.deepEqual([other.status, other.reason], [403, 'Permission check failed (/vms/100, VM.Audit)']);
  assert.equal((await cust.post('/nodes/pve-prod-1/qemu/100/status/stop')).status, 403);
  assert.equal((await cust.get('/cluster/status')).status, 403);
  assert.equal((await cust.get('/nodes/pve-prod-1/status')).status, 403);
  const start = await cust.post('/nodes/pve-prod-2/qemu/204/status/start');
  assert.equal(start.status, 200);
  assert.equal((await waitTask(cust, String(start.data))).exitstatus, 'OK');
  // It sees its own task but not the others on that node.
  const tasks = (await cust.get('/nodes/pve-prod-2/tasks', { limit: 1000 })).data as { user: string }[];
  assert.ok(tasks.length >= 1 && tasks.every((t) => t.user === 'customer-a@pve!steward'));
  const perms = (await cust.get('/access/permissions')).data as Record<string, Record<string, number>>;
  assert.equal(perms['/pool/customer-a']?.['VM.PowerMgmt'], 1);
  assert.equal(perms['/']?.['Sys.Audit'], undefined);
  // Migration needs VM.Migrate, which PVEVMUser lacks.
  const mig = await cust.post('/nodes/pve-prod-1/qemu/200/migrate', { target: 'pve-prod-2', online: 1 });
  assert.deepEqual([mig.status, mig.reason], [403, 'Permission check failed (/vms/200, VM.Migrate)']);
});

test('an auditor token reads everything and changes nothing', async () => {
  const audit = new SimClient(prodRemote, { credential: 'auditor' });
  assert.equal((await audit.get('/cluster/status')).status, 200);
  assert.ok(((await audit.get('/cluster/resources', { type: 'vm' })).data as unknown[]).length >= 30);
  const st = await audit.post('/nodes/pve-prod-1/qemu/100/status/shutdown');
  assert.deepEqual([st.status, st.reason], [403, 'Permission check failed (/vms/100, VM.PowerMgmt)']);
  // Listing updates needs Sys.Modify in PVE (the schema says so).
  assert.equal((await audit.get('/nodes/pve-prod-1/apt/update')).status, 403);
  const pbsAudit = new SimClient(pbsRemote, { credential: 'auditor' });
  assert.equal(((await pbsAudit.get('/admin/datastore')).data as unknown[]).length, 2);
  const refresh = await pbsAudit.post('/nodes/localhost/apt/update');
  assert.equal(refresh.status, 403);
  assert.equal(refresh.text, 'permission check failed', 'PBS answers errors as plain text');
});

test('the most specific ACL path decides: a deeper entry replaces what propagates, NoAccess hides, non-propagating entries stop at their path', async () => {
  // As pve-access-control's roles() and PBS's AclTree walk the path from / down.
  const add = (remoteId: string, name: string, acl: { path: string; role: string; propagate: boolean }[]) => {
    const remote = sim.world.remote(remoteId)!;
    remote.principals.push({ name, kind: 'token', authid: `root@pam!${name}`, userid: 'root@pam', secret: `secret-${name}`, acl });
    return new SimClient(sim.remotes.find((r) => r.id === remoteId)!, { credential: name });
  };
  const c = add('prod-cluster', 'layered', [
    { path: '/', role: 'Administrator', propagate: true },
    { path: '/vms/100', role: 'NoAccess', propagate: true },
    { path: '/nodes/pve-prod-1', role: 'PVEAuditor', propagate: true },
    { path: '/vms', role: 'PVEVMUser', propagate: false },
  ]);
  const listed = (await c.get('/cluster/resources', { type: 'vm' })).data as { vmid: number; node: string; type: string }[];
  const vms = listed.map((g) => g.vmid);
  assert.ok(!vms.includes(100), 'NoAccess on /vms/100 hides it although / grants Administrator');
  assert.equal(vms.length, (sim.world.remote('prod-cluster') as PveState).guests.size - 1, 'a non-propagating entry on /vms does not replace what / grants below it');
  const other = listed.find((g) => g.vmid !== 100)!;
  const denied = await c.get('/nodes/pve-prod-1/qemu/100/status/current');
  assert.deepEqual([denied.status, denied.reason], [403, 'Permission check failed (/vms/100, VM.Audit)']);
  assert.equal((await c.post(`/nodes/${other.node}/${other.type}/${other.vmid}/status/stop`)).status, 200, 'Administrator still holds on the others');
  // PVEAuditor on one node replaces Administrator there: no Sys.Modify, so no update list.
  assert.equal((await c.get('/nodes/pve-prod-1/apt/update')).status, 403);
  assert.equal((await c.get('/nodes/pve-prod-2/apt/update')).status, 200);
  const perms = (await c.get('/access/permissions')).data as Record<string, Record<string, number>>;
  assert.equal(perms['/']?.['Sys.Modify'], 1);
  assert.equal(perms['/nodes/pve-prod-1']?.['Sys.Audit'], 1);
  assert.equal(perms['/nodes/pve-prod-1']?.['Sys.Modify'], undefined);
  assert.equal(perms['/vms/100'], undefined);

  // PBS walks its tree the same way.
  const b = add('backup', 'layered', [
    { path: '/', role: 'Admin', propagate: true },
    { path: '/datastore/lab', role: 'NoAccess', propagate: true },
  ]);
  const stores = ((await b.get('/admin/datastore')).data as { store: string }[]).map((d) => d.store);
  assert.deepEqual(stores, ['prod']);
  assert.equal((await b.get('/admin/datastore/lab/status')).status, 403);
});

test('PBS: a backup-only credential lists just the groups it owns; Audit lists all', async () => {
  const pbsState = sim.world.remote('backup') as PbsState;
  const prod = pbsState.datastores.find((d) => d.name === 'prod')!;
  const mine = prod.snapshots.find((s) => s.type === 'ct') ?? prod.snapshots[0]!;
  const owner = 'backup-client@pbs!pve';
  for (const s of prod.snapshots) if (s.type === mine.type && s.id === mine.id) s.owner = owner;
  const add = (authid: string, role: string) => {
    pbsState.principals.push({ name: authid, kind: 'token', authid, userid: authid.split('!')[0]!, secret: `s-${authid}`, acl: [{ path: '/datastore/prod', role, propagate: true }] });
    return new SimClient(sim.remotes.find((r) => r.id === 'backup')!, { credential: authid });
  };
  const client = add(owner, 'DatastoreBackup');
  const groups = (await client.get('/admin/datastore/prod/groups')).data as { 'backup-type': string; 'backup-id': string; owner: string }[];
  assert.deepEqual(groups.map((g) => `${g['backup-type']}/${g['backup-id']}`), [`${mine.type}/${mine.id}`]);
  const snaps = (await client.get('/admin/datastore/prod/snapshots')).data as { owner: string }[];
  assert.ok(snaps.length > 0 && snaps.every((s) => s.owner === owner));
  const stranger = add('other@pbs!pve', 'DatastoreBackup');
  assert.deepEqual((await stranger.get('/admin/datastore/prod/snapshots')).data, []);
  const auditor = new SimClient(pbsRemote, { credential: 'auditor' });
  const all = (await auditor.get('/admin/datastore/prod/groups')).data as unknown[];
  assert.ok(all.length > 1);
});

test('unknown parameters and malformed values are refused with 400, as PVE and PBS do', async () => {
  const c = new SimClient(prodRemote);
  const r = await c.get('/cluster/resources', { type: 'qemu' });
  assert.deepEqual([r.status, r.reason], [400, 'Parameter verification failed.']);
  assert.match(String((r.body!.errors as Record<string, string>).type), /enumeration/);
  const extra = await c.post('/nodes/pve-prod-1/qemu/100/status/start', { bogus: 1 });
  assert.deepEqual(Object.keys(extra.body!.errors as object), ['bogus']);
  const p = await new SimClient(pbsRemote).get('/nodes/localhost/tasks', { limit: 'many' as unknown as number });
  assert.equal(p.status, 400);
  assert.match(p.text, /parameter verification failed - 'limit'/);
  const notFound = await c.get('/nodes/pve-prod-1/qemu/999/status/current');
  assert.deepEqual([notFound.status, notFound.reason], [500, "Configuration file 'nodes/pve-prod-1/qemu-server/999.conf' does not exist"]);
  const noPath = await c.get('/no/such/path');
  assert.equal(noPath.status, 501);
  const pbsNoPath = await new SimClient(pbsRemote).get('/no/such/path');
  assert.equal(pbsNoPath.status, 404);
});
