import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FailureBlocker, RateLimiter } from './rate-limit.ts';

test('a bucket allows its burst, then answers the seconds to wait, and refills with time', () => {
  let now = 0;
  const r = new RateLimiter(() => now);
  const limit = { count: 3, windowMs: 60_000 };
  assert.deepEqual([r.take('a', limit), r.take('a', limit), r.take('a', limit)], [0, 0, 0]);
  assert.equal(r.take('a', limit), 20, 'one request per 20 s');
  assert.equal(r.take('b', limit), 0, 'keys are separate');
  now += 19_000;
  assert.ok(r.take('a', limit) > 0);
  now += 1_000;
  assert.equal(r.take('a', limit), 0);
  assert.equal(r.take('a', { count: 0, windowMs: 1 }), 0, '0 = no limit');
});

test('failed logins block an address for the period after the threshold within the window', () => {
  let now = 0;
  const b = new FailureBlocker(() => now, () => ({ failures: 3, windowMs: 60_000, blockMs: 600_000 }));
  b.fail('ip:x');
  now += 61_000;
  b.fail('ip:x');
  b.fail('ip:x');
  assert.equal(b.blockedFor('ip:x'), 0, 'the first failure fell out of the window');
  b.fail('ip:x');
  assert.equal(b.blockedFor('ip:x'), 600);
  now += 599_000;
  assert.equal(b.blockedFor('ip:x'), 1);
  now += 1_000;
  assert.equal(b.blockedFor('ip:x'), 0);
});
