import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { Store } from '../store/store.ts';
import { AuditLog } from './audit-log.ts';
import type { AuditRecord } from './audit-log.ts';

let dir: string;
let store: Store;
let clock: number;
let log: AuditLog;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'audit-'));
  store = await Store.open(dir);
  clock = 1_000_000;
  log = new AuditLog(store, () => clock);
  for (let i = 1; i <= 6; i++) {
    clock += 1000;
    log.append({ action: 'user.create', result: 'ok', user: 'admin@steward', target: `u${i}@steward`, ip: '10.0.0.1' });
  }
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const db = () => store.collection<AuditRecord>('audit').db;
const key = (seq: number) => seq.toString().padStart(16, '0');

test('entries chain: each holds the previous hash; an untouched log verifies', () => {
  const all = log.list({ limit: 100 }).reverse();
  assert.deepEqual(all.map((e) => e.seq), [1, 2, 3, 4, 5, 6]);
  for (let i = 1; i < all.length; i++) assert.equal(all[i]!.prev, all[i - 1]!.hash);
  assert.deepEqual(log.verify(), { ok: true, entries: 6, anchor: 0 });
});

test('a modified entry is found, with its sequence number', async () => {
  const e = db().get(key(3))!;
  await db().put(key(3), { ...e, result: 'error' }, 9);
  const r = log.verify();
  assert.equal(r.ok, false);
  assert.deepEqual([r.ok ? 0 : r.seq, r.ok ? '' : r.problem], [3, 'entry 3 was modified (its content does not match its hash)']);
});

test('a modified entry with a recomputed hash breaks the next link', async () => {
  const { entryHash } = await import('./audit-log.ts');
  const e = db().get(key(2))!;
  const { hash: _, ...body } = { ...e, target: 'someone-else' };
  await db().put(key(2), { ...body, hash: entryHash(body) }, 9);
  const r = log.verify();
  assert.ok(!r.ok && r.seq === 3 && /does not follow/.test(r.problem));
});

test('a removed entry is found', async () => {
  await db().remove(key(4));
  const r = log.verify();
  assert.ok(!r.ok && r.seq === 4 && /missing/.test(r.problem), JSON.stringify(r));
});

test('swapped (reordered) entries are found', async () => {
  const a = db().get(key(2))!;
  const b = db().get(key(3))!;
  await db().put(key(2), b, 9);
  await db().put(key(3), a, 9);
  const r = log.verify();
  assert.ok(!r.ok && /reordered|out of order/.test(r.problem), JSON.stringify(r));
});

test('entries cut off the end are found through the head', async () => {
  await db().remove(key(6));
  const r = log.verify();
  assert.ok(!r.ok && /removed from the end/.test(r.problem), JSON.stringify(r));
});

test('retention prunes the oldest and keeps the chain verifiable through the anchor', () => {
  assert.equal(log.prune(4, 10_000_000), 2);
  assert.deepEqual(log.verify(), { ok: true, entries: 4, anchor: 2 });
  clock += 100_000;
  assert.equal(log.prune(1000, 50_000), 4, 'by age');
  log.append({ action: 'login', result: 'ok', user: 'a@steward' });
  assert.deepEqual(log.verify(), { ok: true, entries: 1, anchor: 6 });
  assert.equal(log.list()[0]?.seq, 7);
});

test('filters and paging, newest first', () => {
  log.append({ action: 'login', result: 'denied', user: 'eve@steward', reason: 'wrong password' });
  assert.deepEqual(log.list({ action: 'user', limit: 2 }).map((e) => e.target), ['u6@steward', 'u5@steward']);
  assert.deepEqual(log.list({ action: 'user', start: 4 }).map((e) => e.target), ['u2@steward', 'u1@steward']);
  assert.equal(log.list({ result: 'denied' })[0]?.user, 'eve@steward');
  assert.deepEqual(log.list({ since: 1_003_000, until: 1_004_000 }).map((e) => e.seq), [4, 3]);
  assert.equal(log.list({ user: 'nobody' }).length, 0);
});
