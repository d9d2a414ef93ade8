// The resource table gives back exactly the resources it was built from, and a table built
// over the previous one (the next refresh) holds the new values, never stale ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Resource } from '../../../shared/resources.ts';
import { ResourceSchema } from '../../../shared/resources.ts';
import { pveItems } from './normalize.ts';
import { ResourceTable } from './table.ts';

const GUEST: Resource = {
  remote: 'Prod', 'remote-type': 'pve', id: 'qemu/100', type: 'qemu', name: 'Web-01', node: 'n1', status: 'running', vmid: 100, template: false,
  tags: 'Web;prod', pool: 'customers', lock: 'backup', hastate: 'started', cpu: 0.25, maxcpu: 4, mem: 2 ** 31, maxmem: 2 ** 33,
  disk: 0, maxdisk: 32 * 2 ** 30, uptime: 86_400, netin: 1e12, netout: 3,
};
const STORAGE: Resource = {
  remote: 'Prod', 'remote-type': 'pve', id: 'storage/n1/local', type: 'storage', name: 'local', node: 'n1', status: 'available',
  storage: 'local', plugintype: 'dir', content: 'iso,backup', shared: true, disk: 5, maxdisk: 10,
};
const NODE: Resource = { remote: 'Prod', 'remote-type': 'pve', id: 'node/n1', type: 'node', name: 'n1', node: 'n1', status: 'online', level: 'c' };

test('every row comes back as the resource it was built from, in the schema order', () => {
  const t = new ResourceTable('Prod', 'pve', [GUEST, STORAGE, NODE]);
  assert.equal(t.length, 3);
  for (const [i, r] of [GUEST, STORAGE, NODE].entries()) {
    assert.deepEqual(t.resource(i), r);
    assert.deepEqual(Object.keys(t.resource(i)), Object.keys(ResourceSchema.parse(r)));
  }
  assert.deepEqual(t.resources(), [GUEST, STORAGE, NODE]);
});

test('search keys are lower-cased; absent fields read as undefined, not 0 or ""', () => {
  const t = new ResourceTable('Prod', 'pve', [GUEST, NODE]);
  assert.equal(t.remoteKey, 'prod');
  assert.equal(t.nameKey[0], 'web-01');
  assert.equal(t.tagsKey[0], ';web;prod;');
  assert.equal(t.tagsKey[1], '');
  assert.equal(t.num('cpu', 1), undefined);
  assert.equal(t.str('pool', 1), undefined);
  assert.equal(t.template(1), undefined);
  assert.equal(t.num('disk', 0), 0);
  assert.equal(t.field(0, 'lock'), 'backup');
  assert.equal(t.field(0, 'remote-type'), 'pve');
  assert.equal(t.field(0, 'no-such-field'), undefined);
  assert.equal(t.field(0, 'constructor'), undefined, 'no inherited names');
  assert.equal(t.indexOf('node/n1'), 1);
  assert.equal(t.indexOf('node/n2'), -1);
  assert.ok(t.isGuest(0) && !t.isGuest(1));
});

test('a table built over the previous one holds the new values', () => {
  const before = new ResourceTable('Prod', 'pve', [GUEST, STORAGE, NODE]);
  const moved: Resource = { ...GUEST, node: 'n2', status: 'stopped', tags: 'db', name: 'DB-01', cpu: 0, lock: undefined };
  const added: Resource = { ...GUEST, id: 'lxc/101', type: 'lxc', vmid: 101, name: 'ct' };
  const after = new ResourceTable('Prod', 'pve', [NODE, moved, added], before);
  assert.deepEqual(after.resources(), [NODE, Object.fromEntries(Object.entries(moved).filter(([, v]) => v !== undefined)), added]);
  assert.equal(after.nodeKey[1], 'n2');
  assert.equal(after.statusKey[1], 'stopped');
  assert.equal(after.nameKey[1], 'db-01');
  assert.equal(after.tagsKey[1], ';db;');
  assert.equal(after.nameKey[2], 'ct');
  assert.equal(after.indexOf('storage/n1/local'), -1);
});

test('an unchanged column is the previous table\'s (a refresh keeps no second copy); a changed one is new', () => {
  const before = new ResourceTable('Prod', 'pve', [GUEST, STORAGE, NODE]);
  const busier = new ResourceTable('Prod', 'pve', [{ ...GUEST, cpu: 0.9 }, STORAGE, NODE], before);
  assert.equal(busier.ids, before.ids);
  assert.equal(busier.nameKey, before.nameKey);
  assert.equal(busier.num('cpu', 0), 0.9);
  assert.equal(before.num('cpu', 0), 0.25, 'the previous table is never changed');
  const stopped = new ResourceTable('Prod', 'pve', [{ ...GUEST, status: 'stopped' }, STORAGE, NODE], busier);
  assert.notEqual(stopped.statusKey, busier.statusKey);
  assert.equal(stopped.statusKey[0], 'stopped');
  assert.equal(busier.statusKey[0], 'running');
  assert.equal(stopped.nodeKey, before.nodeKey);
});

test('a remote\'s items are checked as they are copied: wrong types are absent, numbers in text are numbers, defaults filled in, unknown fields dropped', () => {
  const items: unknown[] = [
    { id: 'qemu/100', type: 'qemu', vmid: '100', name: 101, node: 'n1', status: 'running', cpu: '0.5', mem: 'lots', maxmem: null, tags: ['a'], template: 1, secret: 'hunter2' },
    { id: 'lxc/200', type: 'lxc', node: 'n1', status: 'stopped', name: 'x'.repeat(2000) },
    { id: 'storage/n1/nfs', type: 'storage', node: 'n1', storage: 'nfs', status: 'available', shared: '1', disk: 1, maxdisk: 2 },
    { id: 'node/n2', type: 'node', node: 'n2', status: 'offline', cpu: ' ', mem: '0x10', maxmem: '1e3', disk: '-2.5' },
    { id: 'sdn/n1/zone', type: 'sdn', node: 'n1' },
    { id: '', type: 'qemu' },
    { type: 'qemu', vmid: 1 },
    null,
    'qemu/1',
  ];
  const t = new ResourceTable('Prod', 'pve', pveItems(items));
  assert.deepEqual(t.ids, ['qemu/100', 'lxc/200', 'storage/n1/nfs', 'node/n2'], 'only guests, nodes and storages with an id');
  assert.deepEqual(t.resource(0), { remote: 'Prod', 'remote-type': 'pve', id: 'qemu/100', type: 'qemu', name: '101', node: 'n1', status: 'running', vmid: 100, template: true, cpu: 0.5 });
  assert.equal(t.resource(1).template, false, 'a guest without the flag is not a template');
  assert.equal(t.resource(1).name!.length, 1024);
  assert.deepEqual(t.resource(2), { remote: 'Prod', 'remote-type': 'pve', id: 'storage/n1/nfs', type: 'storage', name: 'nfs', node: 'n1', status: 'available', disk: 1, maxdisk: 2, storage: 'nfs', shared: true });
  assert.equal(t.resource(3).name, 'n2', 'a node is named after itself');
  assert.deepEqual([t.num('cpu', 3), t.num('mem', 3), t.num('maxmem', 3), t.num('disk', 3)], [undefined, undefined, 1000, -2.5], 'only decimal numbers as text count');
  for (const r of t.resources()) assert.doesNotThrow(() => ResourceSchema.parse(r));
  assert.deepEqual(items[0], { id: 'qemu/100', type: 'qemu', vmid: '100', name: 101, node: 'n1', status: 'running', cpu: '0.5', mem: 'lots', maxmem: null, tags: ['a'], template: 1, secret: 'hunter2' }, 'the parsed item is left as it was');
});
