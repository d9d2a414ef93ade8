// Runs every `curl` line of docs/api.md, in order, and checks the `# expect` line after it:
// the guide is a test. The requests go in-process to the API (app.request) with a test
// access layer standing for the guide's API token, and Steward talks over real pinned TLS
// to the simulator: a two-node cluster `prod` (the guide's node1, node2, VM 100 of pool
// customer-a) and a standalone host `dr` to migrate to.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createApp } from '../../daemons/api/app.ts';
import { testDeps } from '../fixtures/api-deps.ts';
import type { TestDeps } from '../fixtures/api-deps.ts';
import { startSim } from '../sim/index.ts';
import type { ScenarioSpec, Sim } from '../sim/index.ts';
import type { PveState } from '../sim/state.ts';

const DOC = readFileSync(join(import.meta.dirname, '../../docs/api.md'), 'utf8');
const SECRET = 'b7c1a7e2-0000-4000-8000-walkthrough1';
const DR_SECRET = 'b7c1a7e2-0000-4000-8000-walkthrough2';
const ADMIN = [{ path: '/', role: 'Administrator' }];

const SCENARIO: ScenarioSpec = {
  name: 'api walk-through',
  remotes: [
    {
      id: 'prod',
      type: 'pve',
      cluster: 'prod',
      nodes: [{ name: 'node1' }, { name: 'node2' }],
      storages: [
        { id: 'local', type: 'dir', content: ['iso', 'vztmpl', 'backup'], totalGiB: 100, usedGiB: 30 },
        { id: 'ceph-vm', type: 'rbd', content: ['images', 'rootdir'], shared: true, totalGiB: 4000, usedGiB: 1200 },
      ],
      pools: [{ id: 'customer-a' }],
      guests: [
        { vmid: 100, type: 'qemu', name: 'web-01', node: 'node1', status: 'stopped', pool: 'customer-a', tags: ['web'], storage: 'ceph-vm' },
        { vmid: 101, type: 'lxc', name: 'db-01', node: 'node2', storage: 'ceph-vm' },
        { vmid: 102, type: 'qemu', name: 'app-01', node: 'node1', storage: 'ceph-vm' },
      ],
      credentials: [{ name: 'monitor', kind: 'token', tokenid: 'steward@pve!monitor', secret: SECRET, acl: ADMIN }],
    },
    {
      id: 'dr',
      type: 'pve',
      nodes: [{ name: 'dr1' }],
      storages: [{ id: 'local-lvm', type: 'lvmthin', content: ['images', 'rootdir'], totalGiB: 800, usedGiB: 100 }],
      credentials: [{ name: 'monitor', kind: 'token', tokenid: 'steward@pve!monitor', secret: DR_SECRET, acl: ADMIN }],
    },
  ],
};

interface Step {
  line: string;
  status: number;
  code?: string;
}

function steps(): Step[] {
  const out: Step[] = [];
  for (const block of DOC.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = block[1]!.split('\n');
    lines.forEach((l, i) => {
      if (!l.startsWith('curl ')) return;
      const m = /^# expect (\d{3})(?: (\w+))?$/.exec(lines[i + 1] ?? '');
      assert.ok(m, `docs/api.md: no '# expect' after: ${l}`);
      out.push({ line: l, status: Number(m[1]), ...(m[2] ? { code: m[2] } : {}) });
    });
  }
  return out;
}

/** Shell-like words: quotes removed, adjacent quoted and bare parts joined. */
function words(line: string): string[] {
  const out: string[] = [];
  let cur: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === ' ') {
      if (cur !== null) out.push(cur);
      cur = null;
    } else if (ch === "'" || ch === '"') {
      const end = line.indexOf(ch, i + 1);
      cur = (cur ?? '') + line.slice(i + 1, end);
      i = end;
    } else cur = (cur ?? '') + ch;
  }
  if (cur !== null) out.push(cur);
  return out;
}

function toRequest(line: string): { method: string; path: string; body?: string; type?: string } {
  const w = words(line).slice(1);
  let method: string | undefined;
  let path = '';
  let json: string | undefined;
  let get = false;
  const form = new URLSearchParams();
  for (let i = 0; i < w.length; i++) {
    const a = w[i]!;
    if (a === '-H') i++;
    else if (a === '-X') method = w[++i];
    else if (a === '--json') json = w[++i];
    else if (a === '-G') get = true;
    else if (a === '--data-urlencode') {
      const kv = w[++i]!;
      const eq = kv.indexOf('=');
      form.append(kv.slice(0, eq), kv.slice(eq + 1));
    } else if (a === '-s') continue;
    else if (a.startsWith('/api2/')) path = a;
    else throw new Error(`walkthrough: unknown curl argument ${a}`);
  }
  if (get) return { method: 'GET', path: `${path}${path.includes('?') ? '&' : '?'}${form}` };
  if (json !== undefined) return { method: method ?? 'POST', path, body: json, type: 'application/json' };
  if ([...form].length) return { method: method ?? 'POST', path, body: form.toString(), type: 'application/x-www-form-urlencoded' };
  return { method: method ?? 'GET', path };
}

let t: TestDeps;
let sim: Sim;

before(async () => {
  t = await testDeps({ clientOptions: { retries: 2, backoffMs: 10 } });
  // Nodes on their own addresses, one port, as a real cluster: the scan discovers node2.
  sim = await startSim({ scenario: SCENARIO, addressing: 'address', taskSpeed: 10_000 });
});
after(async () => {
  await t.close();
  await sim.close();
});

test('docs/api.md: every curl line of the walk-through gives the status it promises', async () => {
  const app = createApp(t.deps);
  const all = steps();
  assert.ok(all.length >= 20, `the guide has ${all.length} curl steps`);
  let task = '';
  const [node1] = sim.remotes.find((r) => r.id === 'prod')!.nodes;
  const [dr1] = sim.remotes.find((r) => r.id === 'dr')!.nodes;
  const vars = () => ({
    STEWARD: '', AUTH: 'Authorization: (the test user)', HOST: node1!.host, PORT: String(node1!.port), FP: node1!.fingerprint, WRONG_FP: 'AA:'.repeat(31) + 'AA', SECRET,
    DR_HOST: dr1!.host, DR_PORT: String(dr1!.port), DR_FP: dr1!.fingerprint, DR_SECRET, TASK: encodeURIComponent(task),
  });
  for (const step of all) {
    const line = step.line.replace(/\$([A-Z_]+)/g, (_, v: string) => {
      const value = (vars() as Record<string, string>)[v];
      if (value === undefined) throw new Error(`walkthrough: unknown variable $${v}`);
      return value;
    });
    const req = toRequest(line);
    const res = await app.request(req.path, { method: req.method, headers: { 'x-test-user': 'root@steward', ...(req.type ? { 'content-type': req.type } : {}) }, ...(req.body !== undefined ? { body: req.body } : {}) });
    const body = (await res.json()) as { data: unknown; code?: string; message?: string };
    assert.equal(res.status, step.status, `${step.line}\n→ ${JSON.stringify(body).slice(0, 400)}`);
    if (step.code) assert.equal(body.code, step.code, step.line);
    if (typeof body.data === 'string' && body.data.startsWith('prod!UPID:')) task ||= body.data;
  }
  assert.ok(task, 'the guide started a task and followed it');
  assert.ok(!JSON.stringify(t.audits).includes(SECRET) && !JSON.stringify(t.audits).includes(DR_SECRET), 'no secret in the audit log');
  // What the guide did happened on the clusters.
  const prod = sim.world.remote('prod') as PveState;
  const dr = sim.world.remote('dr') as PveState;
  sim.world.tasks.advance();
  assert.equal(prod.guests.get(100)!.node, 'node2', 'VM 100 started and migrated to node2');
  assert.equal(prod.guests.get(100)!.status, 'running');
  assert.equal(dr.guests.get(102)?.status, 'running', 'VM 102 migrated to dr');
});
