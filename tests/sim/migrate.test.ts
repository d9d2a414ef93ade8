// Migration rules as qemu-server and pve-container apply them: online only with --online,
// local disks only with with-local-disks, local devices never, containers restart, an offline
// target fails, the guest is locked while it moves; remote migration keeps vmid rules.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim } from './index.ts';
import type { Sim, SimRemote } from './index.ts';
import type { PveState } from './state.ts';
import { SimClient, taskLog, waitTask } from './testing.ts';

let sim: Sim;
let prod: SimClient;
let lab: SimClient;
before(async () => {
  sim = await startSim({ scenario: 'demo', taskSpeed: 400 });
  prod = new SimClient(sim.remotes.find((r) => r.id === 'prod-cluster')!);
  lab = new SimClient(sim.remotes.find((r) => r.id === 'lab')!);
});
after(() => sim.close());

const guest = (remote: string, vmid: number) => (sim.world.remote(remote) as PveState).guests.get(vmid);

test('the precondition check lists local disks, local resources and allowed nodes', async () => {
  const db = (await prod.get('/nodes/pve-prod-1/qemu/103/migrate')).data as { running: number; allowed_nodes: string[]; local_disks: { volid: string; size: number }[]; local_resources: string[] };
  assert.equal(db.running, 1);
  assert.deepEqual(db.allowed_nodes, ['pve-prod-2', 'pve-prod-3']);
  assert.deepEqual(db.local_disks.map((d) => d.volid), ['local-zfs:vm-103-disk-0']);
  const shared = (await prod.get('/nodes/pve-prod-1/qemu/100/migrate')).data as { local_disks: unknown[] };
  assert.deepEqual(shared.local_disks, []);
  const gpu = (await lab.get('/nodes/lab-2/qemu/108/migrate')).data as { local_resources: string[] };
  assert.deepEqual(gpu.local_resources, ['hostpci0']);
});

test('refusals before any task: running without --online, target is the local node, unknown target', async () => {
  const r = await prod.post('/nodes/pve-prod-1/qemu/100/migrate', { target: 'pve-prod-2' });
  assert.equal(r.status, 500);
  assert.equal(r.reason, "can't migrate running VM without --online");
  const local = await prod.post('/nodes/pve-prod-1/qemu/100/migrate', { target: 'pve-prod-1', online: 1 });
  assert.equal(local.status, 400);
  assert.deepEqual(local.body!.errors, { target: 'target is local node.' });
  const unknown = await prod.post('/nodes/pve-prod-1/qemu/100/migrate', { target: 'pve-prod-9', online: 1 });
  assert.equal(unknown.status, 500);
  assert.equal(unknown.reason, "no such cluster node 'pve-prod-9'");
  const ct = await prod.post('/nodes/pve-prod-1/lxc/107/migrate', { target: 'pve-prod-2' });
  assert.equal(ct.reason, "can't migrate running container without --online or --restart");
});

test('a live migration with local disks needs with-local-disks; with it the VM moves and keeps running', async () => {
  const without = String((await prod.post('/nodes/pve-prod-1/qemu/103/migrate', { target: 'pve-prod-2', online: 1 })).data);
  assert.equal((await waitTask(prod, without)).exitstatus, "migration aborted (duration 00:00:02): can't live migrate attached local disks without with-local-disks option");
  assert.equal(guest('prod-cluster', 103)!.node, 'pve-prod-1');
  const upid = String((await prod.post('/nodes/pve-prod-1/qemu/103/migrate', { target: 'pve-prod-2', online: 1, 'with-local-disks': 1 })).data);
  // While it moves, the VM is locked.
  const busy = String((await prod.post('/nodes/pve-prod-1/qemu/103/status/shutdown')).data);
  assert.equal((await waitTask(prod, upid, 10_000)).exitstatus, 'OK');
  assert.equal((await waitTask(prod, busy)).exitstatus, 'VM is locked (migrate)');
  assert.ok((await taskLog(prod, upid)).some((l) => /migration finished successfully/.test(l)));
  assert.equal(guest('prod-cluster', 103)!.node, 'pve-prod-2');
  const st = await prod.get('/nodes/pve-prod-2/qemu/103/status/current');
  assert.equal((st.data as { status: string }).status, 'running');
  assert.equal((await prod.get('/nodes/pve-prod-1/qemu/103/status/current')).status, 500, 'no longer on the old node');
});

test('a VM with a passthrough device cannot migrate; an offline target fails the task', async () => {
  const gpu = String((await lab.post('/nodes/lab-2/qemu/108/migrate', { target: 'lab-1', online: 1, 'with-local-disks': 1 })).data);
  assert.match(String((await waitTask(lab, gpu)).exitstatus), /can't migrate VM which uses local devices: hostpci0/);
  const off = String((await lab.post('/nodes/lab-2/qemu/109/migrate', { target: 'lab-3' })).data);
  assert.match(String((await waitTask(lab, off)).exitstatus), /Can't connect to destination/);
  assert.equal(guest('lab', 109)!.node, 'lab-2');
});

test('offline migration of a stopped VM and restart migration of a container', async () => {
  const vm = String((await prod.post('/nodes/pve-prod-1/qemu/121/migrate', { target: 'pve-prod-3' })).data);
  assert.equal((await waitTask(prod, vm, 10_000)).exitstatus, 'OK');
  assert.equal(guest('prod-cluster', 121)!.node, 'pve-prod-3');
  assert.equal(guest('prod-cluster', 121)!.status, 'stopped');
  const before = guest('prod-cluster', 109)!.startedAt;
  const ct = String((await prod.post('/nodes/pve-prod-3/lxc/109/migrate', { target: 'pve-prod-1', restart: 1 })).data);
  assert.equal((await waitTask(prod, ct, 10_000)).exitstatus, 'OK');
  assert.equal(guest('prod-cluster', 109)!.node, 'pve-prod-1');
  assert.ok(guest('prod-cluster', 109)!.startedAt > before, 'restarted on the target');
  const online = String((await prod.post('/nodes/pve-prod-1/lxc/109/migrate', { target: 'pve-prod-2', online: 1 })).data);
  assert.match(String((await waitTask(prod, online)).exitstatus), /lxc live migration is currently not implemented/);
});

test('a storage missing on the target: listed as not allowed, refused when migrating', async () => {
  const s = await startSim({
    scenario: {
      name: 'small',
      remotes: [{
        id: 'c', type: 'pve', cluster: 'c',
        nodes: [{ name: 'a' }, { name: 'b' }],
        storages: [{ id: 'only-a', type: 'dir', content: ['images'], nodes: ['a'], totalGiB: 100, usedGiB: 1 }],
        guests: [{ vmid: 100, type: 'qemu', name: 'x', node: 'a', storage: 'only-a', status: 'stopped' }],
        credentials: [{ name: 't', kind: 'token', tokenid: 'root@pam!steward', acl: [{ path: '/', role: 'Administrator' }] }],
      }],
    },
  });
  try {
    const c = new SimClient(s.remotes[0]!);
    const pre = (await c.get('/nodes/a/qemu/100/migrate')).data as { allowed_nodes: string[]; not_allowed_nodes: Record<string, { unavailable_storages: string[] }> };
    assert.deepEqual(pre.allowed_nodes, []);
    assert.deepEqual(pre.not_allowed_nodes, { b: { unavailable_storages: ['only-a'] } });
    const r = await c.post('/nodes/a/qemu/100/migrate', { target: 'b' });
    assert.equal(r.status, 500);
    assert.equal(r.reason, "storage 'only-a' is not available on node 'b'");
  } finally {
    await s.close();
  }
});

function endpoint(r: SimRemote, node = 0, secret?: string): string {
  const t = r.credentials.find((c) => c.kind === 'token')!;
  const n = r.nodes[node]!;
  return `host=${n.host},port=${n.port},apitoken=PVEAPIToken=${t.kind === 'token' ? t.tokenid : ''}=${secret ?? (t.kind === 'token' ? t.secret : '')},fingerprint=${n.fingerprint}`;
}

test('remote migration moves a guest to another cluster; a taken vmid or a bad token fail the task', async () => {
  const labRemote = sim.remotes.find((r) => r.id === 'lab')!;
  const taken = String((await prod.post('/nodes/pve-prod-1/qemu/111/remote_migrate', { 'target-endpoint': endpoint(labRemote), 'target-storage': 'local-lvm', 'target-bridge': 'vmbr0', online: 1 })).data);
  assert.match(String((await waitTask(prod, taken)).exitstatus), /VM 111 already exists/);
  const bad = String((await prod.post('/nodes/pve-prod-1/qemu/111/remote_migrate', { 'target-endpoint': endpoint(labRemote, 0, 'wrong'), 'target-storage': 'local-lvm', 'target-bridge': 'vmbr0', 'target-vmid': 611, online: 1 })).data);
  assert.match(String((await waitTask(prod, bad)).exitstatus), /401 invalid token value/);
  const running = await prod.post('/nodes/pve-prod-1/qemu/111/remote_migrate', { 'target-endpoint': endpoint(labRemote), 'target-storage': 'local-lvm', 'target-bridge': 'vmbr0', 'target-vmid': 611 });
  assert.equal(running.reason, "can't migrate running VM without --online");
  const ok = String((await prod.post('/nodes/pve-prod-1/qemu/111/remote_migrate', { 'target-endpoint': endpoint(labRemote, 1), 'target-storage': 'local-lvm', 'target-bridge': 'vmbr1', 'target-vmid': 611, online: 1, delete: 1 })).data);
  assert.equal((await waitTask(prod, ok, 10_000)).exitstatus, 'OK');
  assert.equal(guest('prod-cluster', 111), undefined, 'deleted on the source');
  const moved = guest('lab', 611)!;
  assert.deepEqual([moved.node, moved.status, moved.storage, moved.name], ['lab-2', 'running', 'local-lvm', 'vpn-gw']);
  const seen = (await lab.get('/cluster/resources', { type: 'vm' })).data as { vmid: number; node: string }[];
  assert.ok(seen.some((g) => g.vmid === 611 && g.node === 'lab-2'));
  // Without delete, the source keeps a stopped copy, locked.
  const keep = String((await prod.post('/nodes/pve-prod-2/qemu/204/remote_migrate', { 'target-endpoint': endpoint(labRemote), 'target-storage': 'nfs-vm', 'target-bridge': 'vmbr0', 'target-vmid': 612 })).data);
  assert.equal((await waitTask(prod, keep, 10_000)).exitstatus, 'OK');
  assert.deepEqual([guest('prod-cluster', 204)!.status, guest('prod-cluster', 204)!.lock], ['stopped', 'migrate']);
  assert.equal(guest('lab', 612)!.status, 'stopped');
});
