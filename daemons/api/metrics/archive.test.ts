import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KINDS, accumulateAt, consolidate, counterRate, decodeSlot, emptySlot, encodeSlot, fillFrom, recordBytes, slotTimes, viewOf } from './archive.ts';
import type { Slot } from './archive.ts';

const field = (name: string) => KINDS.guest.findIndex((f) => f.name === name);
const values = (v: Record<string, number>) => KINDS.guest.map((f) => v[f.name]);
/** A sample added as the refresh adds it: to the encoded record, in place. */
function accumulate(kind: 'guest', s: Slot, v: (number | undefined)[], weight: number): void {
  const buf = encodeSlot(kind, s);
  accumulateAt(kind, viewOf(buf), 0, v, weight);
  Object.assign(s, decodeSlot(kind, buf, s.time));
}

test('a slot averages its samples by weight and keeps their maximum; limits keep the last value', () => {
  const s = emptySlot('guest', 1800);
  accumulate('guest', s, values({ cpu: 0.2, maxmem: 4e9 }), 1);
  accumulate('guest', s, values({ cpu: 0.8, maxmem: 8e9 }), 3);
  assert.ok(Math.abs(s.avg[field('cpu')]! - (0.2 + 0.8 * 3) / 4) < 1e-6, 'kept as float32');
  assert.ok(Math.abs(s.max[field('cpu')]! - 0.8) < 1e-6);
  assert.equal(s.weight[field('cpu')], 4);
  assert.equal(s.avg[field('maxmem')], 8e9);
  assert.ok(Number.isNaN(s.avg[field('mem')]!), 'a field never sampled stays unknown, not zero');
});

test('a slot survives encoding (as float32) and a slot of an earlier lap reads as empty', () => {
  const s = emptySlot('guest', 1_700_000_040);
  accumulate('guest', s, values({ cpu: 0.25, mem: 1_073_741_824, netin: 1234.5 }), 2);
  const buf = encodeSlot('guest', s);
  assert.equal(buf.length, recordBytes('guest'));
  const back = decodeSlot('guest', buf, 1_700_000_040);
  assert.equal(back.avg[field('cpu')], 0.25);
  assert.equal(back.avg[field('mem')], 1_073_741_824);
  assert.equal(back.weight[field('netin')], 2);
  assert.ok(Number.isNaN(back.avg[field('disk')]!));
  const stale = decodeSlot('guest', buf, 1_700_000_040 + 86_400);
  assert.ok(stale.avg.every(Number.isNaN), 'the same slot one lap later is a gap');
});

test('imported points fill only what is unknown; Steward\'s own samples win over them', () => {
  const s = emptySlot('guest', 60);
  accumulate('guest', s, values({ cpu: 0.5 }), 1);
  assert.equal(fillFrom('guest', s, { time: 60, cpu: 0.9, mem: 100, netin: 7 }, 'AVERAGE'), true);
  assert.equal(s.avg[field('cpu')], 0.5);
  assert.equal(s.avg[field('mem')], 100);
  assert.equal(fillFrom('guest', s, { time: 60, mem: 150 }, 'AVERAGE'), false, 'an imported average is not replaced by another');
  assert.equal(fillFrom('guest', s, { time: 60, mem: 180 }, 'MAX'), true, 'the maximum is a separate place');
  assert.equal(s.max[field('mem')], 180);
  accumulate('guest', s, values({ mem: 120 }), 1);
  assert.equal(s.avg[field('mem')], 120, 'a sample replaces imported values');
  assert.equal(s.max[field('mem')], 120);
});

test('downsampling: a day is 144 ten-minute points from the minute archive, on step boundaries', () => {
  const now = 1_700_000_000; // 22:13:20 UTC
  const times = slotTimes('day', now);
  assert.equal(times[0]! % 600, 0);
  assert.ok(times.at(-1)! <= now && times.at(-1)! > now - 60);
  const slots = times.map((t) => {
    const s = emptySlot('guest', t);
    // Minute m of each ten: cpu m/10, and one spike.
    accumulate('guest', s, values({ cpu: ((t / 60) % 10) / 10 + (t === times[5] ? 5 : 0) }), 1);
    return s;
  });
  const avg = consolidate('guest', 'day', slots, 'AVERAGE');
  assert.equal(avg.length, 144);
  assert.equal(avg[0]!.time, times[0]);
  assert.ok(avg.every((p) => p.time % 600 === 0));
  assert.ok(Math.abs(avg[1]!.cpu! - 0.45) < 1e-6);
  assert.ok(Math.abs(avg[0]!.cpu! - 0.95) < 1e-6, 'the spike is in the average of its ten minutes');
  const max = consolidate('guest', 'day', slots, 'MAX');
  assert.ok(Math.abs(max[0]!.cpu! - 5.5) < 1e-6);
  assert.ok(Math.abs(max[1]!.cpu! - 0.9) < 1e-6);
  const year = slotTimes('year', now);
  assert.ok(year.length <= 730, 'a year fits the 12-hour archive');
  assert.ok(year.at(-1)! <= now);
  assert.equal(consolidate('guest', 'year', year.map((t) => emptySlot('guest', t)), 'AVERAGE').length, 365);
});

test('gaps are points with a time and no values, never zeros', () => {
  const times = slotTimes('hour', 1_700_000_000);
  const slots = times.map((t, i) => {
    const s = emptySlot('guest', t);
    if (i % 2 === 0) accumulate('guest', s, values({ cpu: 0.3 }), 1);
    return s;
  });
  const points = consolidate('guest', 'hour', slots, 'AVERAGE');
  assert.equal(points.length, 60);
  assert.deepEqual(points[1], { time: times[1] });
  assert.deepEqual(Object.keys(points[0]!), ['time', 'cpu']);
  assert.ok(Math.abs(points[0]!.cpu! - 0.3) < 1e-6);
});

test('counters become rates; a reset, a first sample or a long silence is unknown', () => {
  assert.equal(counterRate(1000, 100, 7000, 160, 600), 100);
  assert.equal(counterRate(undefined, undefined, 7000, 160, 600), undefined, 'first sample');
  assert.equal(counterRate(7000, 160, 300, 220, 600), undefined, 'the guest restarted: its counter went back');
  assert.equal(counterRate(1000, 100, 7000, 100 + 601, 600), undefined, 'beyond the heartbeat');
  assert.equal(counterRate(1000, 100, 1000, 160, 600), 0, 'no traffic is a true zero');
});
