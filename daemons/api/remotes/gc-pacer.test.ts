// The pacer collects once per so many bytes of answers, after the answer that crossed the
// mark has been handled, never twice for one crossing; without a collector it does nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as immediate } from 'node:timers/promises';
import { GcPacer } from './gc-pacer.ts';

test('one collection per mark crossed, after the answer is handled', async () => {
  let collections = 0;
  const pacer = new GcPacer(100, () => collections++);
  pacer.received(60);
  pacer.received(30);
  await immediate();
  assert.equal(collections, 0, 'below the mark');
  pacer.received(20);
  assert.equal(collections, 0, 'not in the middle of handling the answer');
  pacer.received(500);
  await immediate();
  assert.equal(collections, 1, 'answers arriving before it ran share the one collection');
  pacer.received(99);
  await immediate();
  assert.equal(collections, 1);
  pacer.received(1);
  await immediate();
  assert.equal(collections, 2);
});

test('without a collector (no --expose-gc) nothing is scheduled', async () => {
  const pacer = new GcPacer(1, null);
  pacer.received(1_000_000);
  await immediate();
});

test('the API unit runs Node with --expose-gc, so the pacer has a collector', async () => {
  const { readFileSync } = await import('node:fs');
  const unit = readFileSync(new URL('../../../systemd/steward-api.service', import.meta.url), 'utf8');
  assert.match(unit, /^ExecStart=\/usr\/bin\/node [^\n]*--expose-gc [^\n]*steward-api\.mjs$/m);
});

test('when the poller falls idle, a quarter of the mark read since the last collection is collected', async () => {
  let collections = 0;
  const pacer = new GcPacer(100, () => collections++);
  pacer.received(20);
  pacer.idle();
  await immediate();
  assert.equal(collections, 0, 'too little to be worth a collection');
  pacer.received(10);
  pacer.idle();
  await immediate();
  assert.equal(collections, 1);
  pacer.idle();
  await immediate();
  assert.equal(collections, 1, 'nothing read since');
});
