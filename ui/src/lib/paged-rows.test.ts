import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PAGE_SIZE, PagedRows } from './paged-rows.ts';

test('loads the first page, then only the pages that come into view, each once', async () => {
  const asked: number[] = [];
  let changes = 0;
  const rows = new PagedRows<number>(
    async (start, limit) => {
      asked.push(start);
      return { total: 1000, rows: Array.from({ length: Math.min(limit, 1000 - start) }, (_, i) => start + i) };
    },
    () => changes++,
    (err) => assert.fail(String(err)),
  );
  await rows.start();
  assert.equal(rows.total, 1000);
  assert.equal(rows.rowAt(5), 5);
  assert.equal(rows.rowAt(PAGE_SIZE + 1), undefined);
  rows.ensure(PAGE_SIZE * 2 - 3, PAGE_SIZE * 2 + 3);
  rows.ensure(PAGE_SIZE * 2 - 3, PAGE_SIZE * 2 + 3);
  rows.ensure(990, 1200);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(asked, [0, PAGE_SIZE, PAGE_SIZE * 2, PAGE_SIZE * 4]);
  assert.equal(rows.rowAt(PAGE_SIZE * 2 + 2), PAGE_SIZE * 2 + 2);
  assert.equal(changes, 4);
});

test('a failed page is reported and may be asked for again; after dispose nothing is reported', async () => {
  let fail = true;
  const errors: unknown[] = [];
  const rows = new PagedRows<number>(
    async (start, _limit, signal) => {
      if (signal.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
      if (fail && start > 0) throw new Error('boom');
      return { total: 500, rows: [start] };
    },
    () => undefined,
    (err) => errors.push(err),
  );
  await rows.start();
  rows.ensure(PAGE_SIZE, PAGE_SIZE + 1);
  await new Promise((r) => setImmediate(r));
  assert.equal(errors.length, 1);
  fail = false;
  rows.ensure(PAGE_SIZE, PAGE_SIZE + 1);
  await new Promise((r) => setImmediate(r));
  assert.equal(rows.rowAt(PAGE_SIZE), PAGE_SIZE);
  rows.dispose();
  rows.ensure(PAGE_SIZE * 2, PAGE_SIZE * 2 + 1);
  await new Promise((r) => setImmediate(r));
  assert.equal(errors.length, 1);
});
