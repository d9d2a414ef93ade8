// The search syntax, table-driven: which resources each query selects, and where each
// malformed query is pointed at.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Resource } from '../../../shared/resources.ts';
import { SearchSyntaxError, parseSearch } from '../../../shared/search.ts';
import { compileSearch } from './matcher.ts';
import { ResourceTable } from './table.ts';

const G = 1024 ** 3;
const RESOURCES: Resource[] = [
  { remote: 'prod', 'remote-type': 'pve', id: 'qemu/100', type: 'qemu', vmid: 100, name: 'web-01', node: 'n1', status: 'running', cpu: 0.92, mem: 7.5 * G, maxmem: 8 * G, disk: 10 * G, maxdisk: 32 * G, uptime: 90_000, tags: 'web;prod', template: false, maxcpu: 4 },
  { remote: 'prod', 'remote-type': 'pve', id: 'qemu/101', type: 'qemu', vmid: 101, name: 'db-01', node: 'n2', status: 'running', cpu: 0.35, mem: 2 * G, maxmem: 16 * G, uptime: 1800, tags: 'db', template: false, lock: 'backup', maxcpu: 8 },
  { remote: 'prod', 'remote-type': 'pve', id: 'lxc/200', type: 'lxc', vmid: 200, name: 'proxy', node: 'n1', status: 'stopped', cpu: 0, mem: 0, maxmem: 1 * G, template: false },
  { remote: 'prod', 'remote-type': 'pve', id: 'qemu/9000', type: 'qemu', vmid: 9000, name: 'debian-template', node: 'n1', status: 'stopped', template: true },
  { remote: 'prod', 'remote-type': 'pve', id: 'node/n1', type: 'node', name: 'n1', node: 'n1', status: 'online', cpu: 0.5, mem: 60 * G, maxmem: 64 * G, uptime: 3_000_000 },
  { remote: 'prod', 'remote-type': 'pve', id: 'storage/n1/local', type: 'storage', name: 'local', node: 'n1', storage: 'local', status: 'available', disk: 90 * G, maxdisk: 100 * G },
  { remote: 'lab', 'remote-type': 'pve', id: 'qemu/100', type: 'qemu', vmid: 100, name: 'web-test', node: 'lab1', status: 'running', cpu: 0.05, mem: 1 * G, maxmem: 2 * G, tags: 'web' },
  { remote: 'backup', 'remote-type': 'pbs', id: 'datastore/store1', type: 'datastore', name: 'store1', node: 'localhost', status: 'available', disk: 40 * G, maxdisk: 100 * G },
];
// One table per remote, as the snapshot cache holds them.
const TABLES = [...new Set(RESOURCES.map((r) => r.remote))].map((remote) => {
  const rows = RESOURCES.filter((r) => r.remote === remote);
  return new ResourceTable(remote, rows[0]!['remote-type'], rows);
});

function select(query: string): string[] {
  const p = compileSearch(parseSearch(query), { view: (id) => (id === 'webs' ? (t, i) => t.tagsKey[i]!.includes(';web;') : null) }, query);
  const out: string[] = [];
  for (const t of TABLES) for (let i = 0; i < t.length; i++) if (p(t, i)) out.push(`${t.remote}:${t.ids[i]}`);
  return out;
}

const CASES: [string, string[]][] = [
  ['', RESOURCES.map((r) => `${r.remote}:${r.id}`)],
  ['web', ['prod:qemu/100', 'lab:qemu/100']],
  ['WEB-01', ['prod:qemu/100']],
  ['type:qemu', ['prod:qemu/100', 'prod:qemu/101', 'prod:qemu/9000', 'lab:qemu/100']],
  ['type:vm +status:stopped', ['prod:lxc/200', 'prod:qemu/9000']],
  ['type:lxc type:node', ['prod:lxc/200', 'prod:node/n1']],
  ['+remote:prod +tag:web', ['prod:qemu/100']],
  ['+type:qemu -template:yes -remote:lab', ['prod:qemu/100', 'prod:qemu/101']],
  ['remote-type:pbs', ['backup:datastore/store1']],
  ['node:N1 +type:storage', ['prod:storage/n1/local']],
  ['id:100', ['prod:qemu/100', 'lab:qemu/100']],
  ['vmid>=200', ['prod:lxc/200', 'prod:qemu/9000']],
  ['cpu>80%', ['prod:qemu/100']],
  ['cpu>0.3 +type:qemu', ['prod:qemu/100', 'prod:qemu/101']],
  ['mem>=90%', ['prod:qemu/100', 'prod:node/n1']],
  ['disk>0.5', ['prod:storage/n1/local']],
  ['disk>50', ['prod:storage/n1/local']],
  ['uptime<1h', ['prod:qemu/101']],
  ['uptime>1d +type:qemu', ['prod:qemu/100']],
  ['maxmem>4G +type:qemu', ['prod:qemu/100', 'prod:qemu/101']],
  ['property:lock', ['prod:qemu/101']],
  ['property:lock=backup', ['prod:qemu/101']],
  ['name:"web-01"', ['prod:qemu/100']],
  ['"web-0"', ['prod:qemu/100']],
  ['view:webs -remote:lab', ['prod:qemu/100']],
  ['+status:running -tag:web', ['prod:qemu/101']],
  ['nothing-matches', []],
];

test('search selects what the syntax says', () => {
  for (const [query, expected] of CASES) assert.deepEqual(select(query), expected, `query: ${query}`);
});

const BAD: [string, number, RegExp][] = [
  ['type:', 6, /missing value after 'type:'/],
  ['web +', 5, /'\+' must be followed by a term/],
  ['status:running colour:red', 16, /unknown category 'colour'/],
  ['cpu>lots', 5, /'lots' is not a percentage/],
  ['uptime<soon', 8, /not a duration/],
  ['name>5', 5, /'>' compares numbers; 'name' takes ':'/],
  ['name:"web 01', 6, /unterminated quote/],
  ['template:maybe', 10, /template takes yes\/no/],
  ['  -view:nope', 4, /no view 'nope'/],
  [Array.from({ length: 65 }, (_, i) => `t${i}`).join(' '), 247, /too many terms/],
];

test('malformed queries are refused with the position of the problem', () => {
  for (const [query, pos, msg] of BAD) {
    assert.throws(() => select(query), (err: unknown) => {
      assert.ok(err instanceof SearchSyntaxError, `${query}: ${String(err)}`);
      assert.equal(err.position, pos, `${query}: ${err.message}`);
      assert.match(err.message, msg);
      assert.match(err.message, new RegExp(`^search syntax error at position ${pos}: `));
      return true;
    }, query);
  }
});
