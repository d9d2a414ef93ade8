// `apt-get update` as a host task with the real daemons: privd runs a fixture apt-get (its
// path from steward.conf) that writes lines slowly; the log is followed over HTTPS while it
// runs. Killing steward-api mid-task stops apt-get (privd sees the connection close), and
// the restarted API shows the task as interrupted, not running forever.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from '../harness/https.ts';
import { startStack } from '../harness/stack.ts';
import type { Stack } from '../harness/stack.ts';

const PASSWORD = 'host tasks secret 1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('host tasks with the real daemons', () => {
  let stack: Stack;
  let dir: string;
  let headers: Record<string, string>;
  const api = (method: string, path: string, body?: object) => request(`${stack.url}/api2/json${path}`, { method, headers, ...(body ? { body } : {}) });
  const login = async () => {
    const r = await request(`${stack.url}/api2/json/access/ticket`, { method: 'POST', body: { username: 'admin@steward', password: PASSWORD } });
    assert.equal(r.status, 200, r.text);
    const { ticket, CSRFPreventionToken } = r.json<{ data: { ticket: string; CSRFPreventionToken: string } }>().data;
    headers = { cookie: `StewardAuthCookie=${encodeURIComponent(ticket)}`, CSRFPreventionToken };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-host-tasks-'));
    const aptGet = join(dir, 'apt-get');
    writeFileSync(aptGet, `#!/bin/sh
echo $$ > ${dir}/apt-get.pid
for i in 1 2 3 4 5 6 7 8 9 10; do echo "Get:$i http://deb.debian.org/debian trixie InRelease"; sleep 0.5; done
echo "Reading package lists..."
`, { mode: 0o755 });
    stack = await startStack({ dir, extraConfig: { APT_GET: aptGet } });
    const created = await stack.admin(['user', 'create', 'admin@steward', '--role', 'Admin', '--password-stdin'], `${PASSWORD}\n`);
    assert.equal(created.code, 0, created.stderr);
    await login();
  });
  after(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the log grows while apt-get runs; killing the API stops apt-get and the restarted API shows the task interrupted', async () => {
    const started = await api('POST', '/system/updates', {});
    assert.equal(started.status, 200, started.text);
    const id = started.json<{ data: string }>().data;
    const path = `/system/tasks/${encodeURIComponent(id)}`;

    let lines: { n: number; t: string }[] = [];
    for (let i = 0; i < 50 && lines.length < 2; i++) {
      await sleep(100);
      lines = (await api('GET', `${path}/log`)).json<{ data: typeof lines }>().data;
    }
    assert.deepEqual(lines.slice(0, 2).map((l) => l.t), ['Get:1 http://deb.debian.org/debian trixie InRelease', 'Get:2 http://deb.debian.org/debian trixie InRelease']);
    assert.equal((await api('GET', `${path}/status`)).json<{ data: { status: string } }>().data.status, 'running');
    const busy = await api('POST', '/system/updates', {});
    assert.equal(busy.status, 409);
    assert.equal(busy.json<{ code: string }>().code, 'task_running');

    await stack.stopApi('SIGKILL');
    const pid = Number(readFileSync(join(dir, 'apt-get.pid'), 'utf8'));
    for (let i = 0; i < 50 && existsSync(`/proc/${pid}`); i++) await sleep(100);
    assert.equal(existsSync(`/proc/${pid}`), false, 'privd stopped apt-get when its caller went away');

    await stack.startApi();
    await login();
    const s = (await api('GET', `${path}/status`)).json<{ data: { status: string; exitstatus: string } }>().data;
    assert.equal(s.status, 'stopped');
    assert.match(s.exitstatus, /^interrupted: steward-api stopped/);
    const log = (await api('GET', `${path}/log`)).json<{ data: { t: string }[] }>().data;
    assert.match(log.at(-1)!.t, /^TASK ERROR: interrupted/);
    assert.equal((await api('GET', '/system/tasks?status=running')).json<{ data: { total: number } }>().data.total, 0);

    // A new run works at once: nothing is left holding the one-at-a-time lock.
    const again = await api('POST', '/system/updates', {});
    assert.equal(again.status, 200, again.text);
  });
});
