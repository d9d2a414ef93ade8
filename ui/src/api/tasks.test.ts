import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeUpid, listedTaskFailed, mergeTasks, splitUpid, taskFailed, taskPlace, upidProduct } from './tasks.ts';
import type { TaskListEntry } from './tasks.ts';

const upid = 'pve1!UPID:node1:0000A1B2:00C0FFEE:6560A000:qmstart:100:root@pam:';

test('a Steward task id splits into remote and UPID, and the UPID into its parts', () => {
  assert.deepEqual(splitUpid(upid), { remote: 'pve1', upid: upid.slice(5) });
  assert.equal(splitUpid('UPID:node1:1:2:3:x:y:z:'), undefined);
  assert.deepEqual(describeUpid(upid), { node: 'node1', type: 'qmstart', id: '100', user: 'root@pam' });
  assert.equal(taskFailed({ status: 'stopped', exitstatus: 'OK' }), false);
  assert.equal(taskFailed({ status: 'stopped', exitstatus: 'command failed' }), true);
  assert.equal(taskFailed({ status: 'running' }), false);
  assert.equal(taskFailed({ status: 'stopped', exitstatus: 'WARNINGS: 1' }), false);
  assert.equal(listedTaskFailed({ status: 'OK' }), false);
  assert.equal(listedTaskFailed({ status: 'running' }), false);
  assert.equal(listedTaskFailed({ status: 'migration aborted' }), true);
});

test('a PBS UPID (one field more) is described and followed through the PBS routes', () => {
  const pbs = 'backup!UPID:pbs-backup-01:0015E72C:11333C5E:00000019:6B041CB0:garbage_collection:prod:root@pam:';
  assert.deepEqual(describeUpid(pbs), { node: 'pbs-backup-01', type: 'garbage_collection', id: 'prod', user: 'root@pam' });
  assert.equal(upidProduct(pbs), 'pbs');
  assert.equal(upidProduct(upid), 'pve');
  assert.deepEqual(describeUpid('backup!UPID:too:few:'), {});
});

test("this host's tasks merge into the remotes' list newest first, cut to the limit, with both totals", () => {
  const t = (id: string, starttime: number, host = false): TaskListEntry => ({ id, remote: host ? '' : 'pve1', upid: id, node: 'n1', starttime, status: 'OK', ...(host ? { source: 'host' as const } : {}) });
  const merged = mergeTasks({ total: 40, tasks: [t('a', 50), t('b', 30), t('c', 10)] }, { total: 2, tasks: [t('h1', 40, true), t('h2', 5, true)] }, 3);
  assert.deepEqual(merged.tasks.map((x) => x.id), ['a', 'h1', 'b']);
  assert.equal(merged.total, 42);
  assert.equal(taskPlace(merged.tasks[1]!), 'this host (n1)');
  assert.equal(taskPlace(merged.tasks[0]!), 'pve1 / n1');
});
