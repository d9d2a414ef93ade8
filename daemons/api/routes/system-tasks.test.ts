// `apt-get update` as a host task: the API starts it through a real privd RPC server over a
// UNIX socket, privd streams the lines of a fixture apt-get that writes them slowly, and the
// task log under /system/tasks shows them before the task ends.
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { call, testDeps } from '../../../tests/fixtures/api-deps.ts';
import type { TestDeps } from '../../../tests/fixtures/api-deps.ts';
import { attachPrivd } from '../../../tests/fixtures/privd-for-app.ts';
import type { AttachedPrivd } from '../../../tests/fixtures/privd-for-app.ts';
import { parseConfig } from '../../common/config.ts';
import { Logger } from '../../common/log.ts';
import { createApp } from '../app.ts';
import { HostTasks, INTERRUPTED, TASKS_KEPT, hostTasksOf } from '../tasks/host-tasks.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('/system/tasks: apt-get update with a live log', () => {
  let t: TestDeps;
  let app: ReturnType<typeof createApp>;
  let privd: AttachedPrivd;
  let modeFile: string;

  before(async () => {
    t = await testDeps();
    modeFile = join(t.dir, 'apt-mode');
    const aptGet = join(t.dir, 'apt-get');
    // slow: three Get lines 200 ms apart; hang: one line, then sleeps past the timeout; fail: apt's error.
    writeFileSync(aptGet, `#!/bin/sh
case "$(cat ${modeFile})" in
  slow) for i in 1 2 3; do echo "Get:$i http://deb.debian.org/debian trixie/main amd64 Packages [$i kB]"; sleep 0.2; done; echo "Reading package lists..." ;;
  hang) echo "Ign:1 http://unreachable.example.test trixie InRelease"; sleep 30 ;;
  fail) echo "E: Could not get lock /var/lib/apt/lists/lock" >&2; exit 100 ;;
esac
`);
    chmodSync(aptGet, 0o755);
    const config = parseConfig('', 'test', { APT_GET: aptGet, APT_UPDATE_TIMEOUT: '2' });
    privd = await attachPrivd(t, config);
    t.grants.set('auditor@steward', [{ path: '/system', role: 'Audit' }]);
    app = createApp(t.deps);
  });
  after(async () => {
    privd.close();
    await t.close();
  });

  const start = async () => {
    const r = await call(app, 'root@steward', 'POST', '/system/updates', {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.data as string;
  };
  const status = async (id: string) => (await call(app, 'root@steward', 'GET', `/system/tasks/${encodeURIComponent(id)}/status`)).body.data;
  const log = async (id: string, start = 0) => (await call(app, 'root@steward', 'GET', `/system/tasks/${encodeURIComponent(id)}/log?start=${start}`)).body.data as { n: number; t: string }[];

  test('the log shows progress before the task ends; a second run meanwhile is task_running; the end is audited', async () => {
    writeFileSync(modeFile, 'slow');
    const id = await start();
    assert.match(id, /^steward!UPID:[^:]+:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:aptupdate::root@steward:$/);

    let early: { n: number; t: string }[] = [];
    for (let i = 0; i < 40 && early.length === 0; i++) {
      await sleep(50);
      early = await log(id);
    }
    assert.match(early[0]!.t, /^Get:1 /);
    assert.equal((await status(id)).status, 'running', 'a line was visible while apt-get still ran');

    const second = await call(app, 'root@steward', 'POST', '/system/updates', {});
    assert.equal(second.status, 409);
    assert.equal(second.body.code, 'task_running');
    assert.match(String(second.body.message), new RegExp(id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));

    await hostTasksOf(t.deps).wait(id);
    const done = await status(id);
    assert.equal(done.status, 'stopped');
    assert.equal(done.exitstatus, 'OK');
    const all = await log(id);
    assert.deepEqual(all.map((l) => l.n), [0, 1, 2, 3]);
    assert.equal(all.at(-1)!.t, 'Reading package lists...');
    assert.deepEqual((await log(id, 2)).map((l) => l.n), [2, 3], 'paged from a line');

    const listed = (await call(app, 'root@steward', 'GET', '/system/tasks?status=ok')).body.data;
    assert.equal(listed.tasks[0].id, id);
    assert.equal(listed.tasks[0].type, 'aptupdate');
    assert.ok(t.audits.some((a) => a.action === 'system.updates.refresh' && a.target === id && a.result === 'ok'));
    assert.ok(t.audits.some((a) => a.action === 'task.finished' && a.target?.endsWith(id.slice('steward!'.length)) && a.result === 'ok'));
  });

  test('apt-get failing ends the task with an error and apt\'s message in the log', async () => {
    writeFileSync(modeFile, 'fail');
    const id = await start();
    await hostTasksOf(t.deps).wait(id);
    const s = await status(id);
    assert.match(s.exitstatus, /exit code 100/);
    assert.ok((await log(id)).some((l) => l.t.includes('Could not get lock')));
  });

  test('a run past APT_UPDATE_TIMEOUT is stopped and the task ends with the timeout error', async () => {
    writeFileSync(modeFile, 'hang');
    const started = Date.now();
    const id = await start();
    await hostTasksOf(t.deps).wait(id);
    assert.ok(Date.now() - started < 8000, 'apt-get (and its sleeping child) were stopped');
    const s = await status(id);
    assert.equal(s.status, 'stopped');
    assert.match(s.exitstatus, /^timeout: apt-get update did not finish within 2 seconds/);
    const lines = (await log(id)).map((l) => l.t);
    assert.equal(lines[0], 'Ign:1 http://unreachable.example.test trixie InRelease');
    assert.match(lines.at(-1)!, /^TASK ERROR: timeout/);
    assert.ok(t.audits.some((a) => a.action === 'task.finished' && a.result === 'error'));
  });

  test('a task the previous API process left running is shown as interrupted after a restart, not running forever', async () => {
    writeFileSync(modeFile, 'slow');
    const id = await start();
    for (let i = 0; i < 40 && (await log(id)).length === 0; i++) await sleep(50);
    // What the next process does at start (startServices): same store, a new HostTasks.
    const next = new HostTasks(t.deps.store, () => t.deps.access, new Logger());
    assert.equal(next.get(id)?.status, 'running');
    assert.equal(await next.markInterrupted(), 1);
    const old = t.deps.hostTasks!;
    t.deps.hostTasks = next;
    try {
      const s = await status(id);
      assert.equal(s.status, 'stopped');
      assert.equal(s.exitstatus, INTERRUPTED);
      const lines = (await log(id)).map((l) => l.t);
      assert.match(lines[0]!, /^Get:1 /, 'the lines written before stay');
      assert.match(lines.at(-1)!, /TASK ERROR: interrupted/);
    } finally {
      await old.wait(id);
      t.deps.hostTasks = old;
    }
  });

  test('privd itself runs one apt-get update at a time, whoever asks', async () => {
    writeFileSync(modeFile, 'slow');
    const actor = { user: 'root@steward' };
    const first = t.deps.privd.call('apt.update', {}, actor, 10_000);
    await sleep(100);
    await assert.rejects(t.deps.privd.call('apt.update', {}, actor, 10_000), (e: { code?: string }) => e.code === 'task_running');
    assert.equal((await first).ok, true);
  });

  test('only the newest tasks are kept, with their logs', async () => {
    const tasks = hostTasksOf(t.deps);
    const apt = tasks.list().filter((x) => x.type === 'aptupdate').map((x) => x.id);
    assert.ok(apt.length > 0);
    const auth = { userid: 'root@steward', kind: 'ticket' as const };
    for (let i = 0; i < TASKS_KEPT; i++) {
      const rec = await tasks.start('test', auth, async (run) => run.log(`line of ${i}`));
      await tasks.wait(rec.id);
    }
    const kept = tasks.list();
    assert.equal(kept.length, TASKS_KEPT);
    assert.ok(kept.every((x) => x.type === 'test'), 'the oldest (apt) tasks went first');
    assert.equal(tasks.get(apt[0]!), undefined);
    const logs = t.deps.store.collection('host-tasks').list('log:').map((e) => e.key);
    assert.equal(logs.length, TASKS_KEPT, logs.filter((k) => !k.includes(':test::')).join(' '));
  });

  test('only Admin on /system; unknown ids are not_found; bad ids are 400', async () => {
    assert.equal((await call(app, 'auditor@steward', 'POST', '/system/updates', {})).status, 403);
    assert.equal((await call(app, 'auditor@steward', 'GET', '/system/tasks')).status, 403);
    assert.equal((await call(app, null, 'GET', '/system/tasks')).status, 401);
    const missing = await call(app, 'root@steward', 'GET', `/system/tasks/${encodeURIComponent('steward!UPID:h:00000001:00000001:00000001:aptupdate::x@steward:')}/status`);
    assert.equal(missing.status, 404);
    assert.equal((await call(app, 'root@steward', 'GET', '/system/tasks/x/log')).status, 400);
  });
});
