import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeUpid, listedTaskFailed, splitUpid, taskFailed } from './tasks.ts';

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
