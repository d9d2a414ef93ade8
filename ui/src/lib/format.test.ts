import assert from 'node:assert/strict';
import { test } from 'node:test';
import { age, bytes, duration, percent, statusClass } from './format.ts';

test('formats sizes, shares, durations and ages the way an admin reads them', () => {
  assert.equal(bytes(0), '0 B');
  assert.equal(bytes(1536), '1.5 KiB');
  assert.equal(bytes(8 * 1024 ** 3), '8.0 GiB');
  assert.equal(bytes(undefined), '–');
  assert.equal(percent(0.5), '50%');
  assert.equal(percent(0.012), '1.2%');
  assert.equal(duration(90061), '1d 1h');
  assert.equal(duration(3720), '1h 2m');
  assert.equal(age(1000, 1_000_000 + 120_000), '2 min ago');
  assert.equal(statusClass('running'), 'ok');
  assert.equal(statusClass('offline'), 'error');
  assert.equal(statusClass('stopped'), '');
});
