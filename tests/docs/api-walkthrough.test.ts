// Runs every `curl` line of docs/api.md, in order, and checks the `# expect` line after it:
// the guide is a test. The requests go in-process to the API (app.request) with a test
// access layer standing for the guide's API token, and Steward talks over real pinned TLS
// to a fake PVE host.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createApp } from '../../daemons/api/app.ts';
import { testDeps } from '../fixtures/api-deps.ts';
import type { TestDeps } from '../fixtures/api-deps.ts';
import { startFakeProxmox } from '../fixtures/fake-proxmox.ts';
import type { FakeProxmox, SeenRequest } from '../fixtures/fake-proxmox.ts';

const DOC = readFileSync(join(import.meta.dirname, '../../docs/api.md'), 'utf8');
const SECRET = 'b7c1a7e2-0000-4000-8000-walkthrough1';

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
let pve: FakeProxmox;
let upids = 0;

before(async () => {
  t = await testDeps();
  pve = await startFakeProxmox((r: SeenRequest) => {
    const path = decodeURIComponent(r.path.split('?')[0]!);
    if (path === '/') return { raw: '<title>node1 - Proxmox Virtual Environment</title><script src="/pve2/js/pvemanagerlib.js?ver=9.0.3"></script>' };
    if (r.headers.authorization !== `PVEAPIToken=steward@pve!monitor=${SECRET}`) return { status: 401, reason: 'authentication failure' };
    const api = path.replace('/api2/json', '');
    if (api === '/version') return { data: { version: '9.0.3', release: '9.0' } };
    if (api === '/access/permissions') return { data: { '/': { 'Sys.Audit': 1, 'VM.Audit': 1, 'Datastore.Audit': 1, 'VM.PowerMgmt': 1 } } };
    if (api === '/cluster/status') return { data: [{ type: 'cluster', name: 'prod' }, { type: 'node', name: 'node1', ip: '127.0.0.1', local: 1, online: 1 }, { type: 'node', name: 'node2', ip: '10.0.0.2', local: 0, online: 1 }] };
    if (api === '/nodes/node2/certificates/info') return { data: [{ filename: 'pve-ssl.pem', fingerprint: pve.fingerprint }] };
    if (api === '/cluster/resources') {
      return { data: [
        { id: 'node/node1', type: 'node', node: 'node1', status: 'online', cpu: 0.2, mem: 1, maxmem: 4 },
        { id: 'node/node2', type: 'node', node: 'node2', status: 'online', cpu: 0.1, mem: 1, maxmem: 4 },
        { id: 'qemu/100', type: 'qemu', vmid: 100, name: 'web-01', node: 'node1', status: 'running', cpu: 0.93, mem: 95, maxmem: 100, pool: 'customer-a', tags: 'web' },
      ] };
    }
    if (api === '/cluster/tasks') return { data: [] };
    if (/\/(apt\/update|subscription)$/.test(api)) return { data: [] };
    if (/^\/nodes\/node1\/qemu\/100\/migrate$/.test(api) && r.method === 'GET') return { data: { running: 1, allowed_nodes: ['node2'], not_allowed_nodes: {}, local_disks: [], local_resources: [] } };
    const action = /^\/nodes\/node1\/qemu\/100\/(status\/start|migrate|remote_migrate)$/.exec(api);
    if (action && r.method === 'POST') return { data: `UPID:node1:${String(++upids).padStart(8, '0')}:0000ABCD:65000000:${action[1] === 'status/start' ? 'qmstart' : 'qmigrate'}:100:steward@pve!monitor:` };
    if (/^\/nodes\/node1\/tasks\/UPID:[^/]+\/status$/.test(api)) return { data: { status: 'running' } };
    if (/^\/nodes\/node1\/tasks\/UPID:[^/]+\/log$/.test(api)) return { data: [{ n: 1, t: 'starting' }] };
    if (api === '/nodes/node1/rrddata') return { data: [{ time: 1_700_000_000, cpu: 0.2, maxmem: 4 }] };
    return undefined;
  });
});
after(async () => {
  await pve.close();
  await t.close();
});

test('docs/api.md: every curl line of the walk-through gives the status it promises', async () => {
  const app = createApp(t.deps);
  const all = steps();
  assert.ok(all.length >= 20, `the guide has ${all.length} curl steps`);
  let task = '';
  const vars = () => ({ STEWARD: '', AUTH: 'Authorization: (the test user)', HOST: '127.0.0.1', PORT: String(pve.port), FP: pve.fingerprint, WRONG_FP: 'AA:'.repeat(31) + 'AA', SECRET, TASK: encodeURIComponent(task) });
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
  assert.ok(!JSON.stringify(t.audits).includes(SECRET), 'no secret in the audit log');
});
