// A task in flight across a restart of the real API daemon: Steward starts a VM on the
// simulated cluster, is stopped (SIGTERM) while the task runs, starts again and follows the
// task to its end from its store — the end is listed and audited as `task.finished`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { request } from '../harness/https.ts';
import { startStack } from '../harness/stack.ts';
import type { Stack } from '../harness/stack.ts';
import { startSim } from '../sim/index.ts';
import type { Sim } from '../sim/index.ts';
import type { PveState } from '../sim/state.ts';

const PASSWORD = 'restart test password';
let stack: Stack;
let sim: Sim;
let headers: Record<string, string>;

const api = async (method: string, path: string, body?: object) => {
  const r = await request(`${stack.url}/api2/json${path}`, { method, headers, ...(body ? { body } : {}) });
  return { status: r.status, body: r.json<{ data: any; message?: string }>() }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

before(async () => {
  // A VM start takes 3 s at taskSpeed 1: at 0.5 it outlasts the daemon's restart.
  [stack, sim] = await Promise.all([startStack(), startSim({ scenario: 'demo', taskSpeed: 0.5 })]);
  const made = await stack.admin(['user', 'create', 'admin@steward', '--role', 'Admin', '--password-stdin'], `${PASSWORD}\n`);
  assert.equal(made.code, 0, made.stderr);
  const login = await request(`${stack.url}/api2/json/access/ticket`, { method: 'POST', body: { username: 'admin@steward', password: PASSWORD } });
  const t = login.json<{ data: { ticket: string; CSRFPreventionToken: string } }>().data;
  headers = { cookie: `StewardAuthCookie=${encodeURIComponent(t.ticket)}`, CSRFPreventionToken: t.CSRFPreventionToken };
  const prod = sim.remotes.find((r) => r.id === 'prod-cluster')!;
  const token = prod.credentials.find((c) => c.name === 'steward') as { tokenid: string; secret: string };
  const added = await api('POST', '/remotes', { id: 'prod', type: 'pve', endpoints: prod.nodes.map((n) => ({ host: n.host, port: n.port, fingerprint: n.fingerprint })), credentials: [{ name: 'steward', kind: 'token', tokenid: token.tokenid, secret: token.secret }] });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  assert.equal((await api('POST', '/remotes/prod/refresh')).status, 200);
});
after(async () => {
  await stack?.stop();
  await sim?.close();
});

test('a task started before a restart is followed to its end by the restarted daemon', async () => {
  const started = await api('POST', '/pve/remotes/prod/qemu/121/start', {});
  assert.equal(started.status, 200, JSON.stringify(started.body));
  const id = started.body.data as string;
  const upid = id.slice('prod!'.length);

  assert.equal(await stack.stopApi('SIGTERM'), 0);
  sim.world.tasks.advance();
  assert.equal(sim.world.tasks.byUpid.get(upid)!.status, 'running', 'still running while Steward is down');
  await stack.startApi();

  const listed = async () => ((await api('GET', '/remotes/tasks?remote=prod')).body.data.tasks as { id: string; status: string; user: string; 'started-by-steward': boolean }[]).find((x) => x.id === id);
  const first = await listed();
  assert.equal(first?.user, 'admin@steward', 'the record survived the restart');
  assert.equal(first?.['started-by-steward'], true);
  let seen = first!.status;
  for (let i = 0; seen === 'running' && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 200));
    seen = (await listed())!.status;
  }
  assert.equal(seen, 'OK');
  const audit = (await api('GET', '/access/audit?action=task.finished')).body.data as { target?: string; result: string; user?: string }[];
  const end = audit.find((e) => e.target === `/remotes/prod/tasks/${upid}`);
  assert.ok(end, JSON.stringify(audit).slice(0, 500));
  assert.equal(end.result, 'ok');
  assert.equal(end.user, 'admin@steward');
  assert.equal((sim.world.remote('prod-cluster') as PveState).guests.get(121)!.status, 'running');
});
