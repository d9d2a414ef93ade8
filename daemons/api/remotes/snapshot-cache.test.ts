// The snapshot cache keeps what did not change between two refreshes as it was: the task
// objects of a remote, and the list itself when nothing changed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testDeps } from '../../../tests/fixtures/api-deps.ts';
import { ResourceTable } from '../resources/table.ts';
import { SnapshotCache } from './snapshot-cache.ts';
import type { TaskSummary } from './snapshot-cache.ts';

const task = (n: number, status?: string): TaskSummary => ({ upid: `UPID:pve1:0000${n}:00000000:6740A000:qmstart:${100 + n}:root@pam:`, node: 'pve1', type: 'qmstart', starttime: 1_732_000_000 + n, ...(status ? { status, endtime: 1_732_000_010 + n } : {}) });

test('unchanged tasks keep their objects; a changed one is new; an unchanged list is the same list', async () => {
  const t = await testDeps();
  try {
    const cache = new SnapshotCache(t.deps.store);
    const snap = (tasks: TaskSummary[]) => cache.setSnapshot('pve', 'pve', { time: Date.now(), table: ResourceTable.empty('pve', 'pve'), tasks });
    await snap([task(1), task(2, 'OK')]);
    const first = cache.snapshot('pve')!.tasks!;
    await snap([task(1), task(2, 'OK')]);
    assert.equal(cache.snapshot('pve')!.tasks, first);
    await snap([task(3), task(1, 'job errors'), task(2, 'OK')]);
    const third = cache.snapshot('pve')!.tasks!;
    assert.deepEqual(third.map((x) => x.status), [undefined, 'job errors', 'OK']);
    assert.equal(third[2], first[1]);
    assert.notEqual(third[1], first[0]);
  } finally {
    await t.close();
  }
});
