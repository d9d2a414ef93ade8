import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { ApiError } from '../../../shared/errors.ts';
import { MIGRATIONS, Store, digestVersion, versionDigest } from './store.ts';
import type { Migration } from './store.ts';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'steward-store-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const isConflict = (e: unknown) => e instanceof ApiError && e.code === 'conflict' && e.status === 409;

test('a stale version is a 409 conflict and does not overwrite', async () => {
  const store = await Store.open(dir);
  const users = store.collection<{ name: string }>('users');
  assert.equal(await users.create('a@steward', { name: 'A' }), 1);
  await assert.rejects(users.create('a@steward', { name: 'again' }), isConflict);
  const v2 = await users.update('a@steward', { name: 'B' }, 1);
  assert.equal(v2, 2);
  await assert.rejects(users.update('a@steward', { name: 'C' }, 1), isConflict, 'writer who read version 1 loses');
  assert.deepEqual(users.get('a@steward'), { key: 'a@steward', value: { name: 'B' }, version: 2 });
  await assert.rejects(users.delete('a@steward', 1), isConflict);
  await users.delete('a@steward', 2);
  assert.equal(users.get('a@steward'), undefined);
  await assert.rejects(users.update('a@steward', { name: 'X' }), (e: ApiError) => e.code === 'not_found');
  await store.close();
});

test('concurrent updates from the same version: exactly one wins', async () => {
  const store = await Store.open(dir);
  const c = store.collection<number>('settings');
  await c.create('n', 0);
  const results = await Promise.allSettled([1, 2, 3, 4].map((v) => c.update('n', v, 1)));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  assert.ok(results.filter((r) => r.status === 'rejected').every((r) => isConflict((r as PromiseRejectedResult).reason)));
  await store.close();
});

test('digests round-trip versions; garbage never matches a real version', () => {
  assert.equal(digestVersion(versionDigest(42)), 42);
  assert.equal(digestVersion(undefined), undefined);
  assert.equal(digestVersion('zz'), -1);
});

test('list returns entries by prefix in key order', async () => {
  const store = await Store.open(dir);
  const c = store.collection<number>('tasks');
  for (const k of ['b:2', 'a:1', 'b:1', 'c:1']) await c.create(k, 1);
  assert.deepEqual(c.list('b:').map((e) => e.key), ['b:1', 'b:2']);
  assert.deepEqual(c.list('', 2).map((e) => e.key), ['a:1', 'b:1']);
  await store.close();
});

test('reopen after close keeps the data', async () => {
  const s1 = await Store.open(dir);
  await s1.collection<string>('remotes').create('pve1', 'x');
  await s1.close();
  assert.throws(() => s1.collection('remotes'), /closed/);
  const s2 = await Store.open(dir);
  assert.equal(s2.collection<string>('remotes').get('pve1')?.value, 'x');
  assert.equal(s2.schemaVersion, MIGRATIONS.length);
  await s2.close();
});

test('migrations run in order from an older schema version, once', async () => {
  const ran: string[] = [];
  const v1: Migration[] = [{ version: 1, name: 'one', up: async (s) => { ran.push('1'); await s.collection<string>('users').put('u', 'old-format'); } }];
  const s1 = await Store.open(dir, v1);
  assert.equal(s1.schemaVersion, 1);
  await s1.close();
  const v3: Migration[] = [
    ...v1,
    { version: 2, name: 'two', up: async (s) => { ran.push('2'); const c = s.collection<string>('users'); await c.put('u', c.get('u')!.value.toUpperCase()); } },
    { version: 3, name: 'three', up: async () => { ran.push('3'); } },
  ];
  const s2 = await Store.open(dir, v3);
  assert.equal(s2.schemaVersion, 3);
  assert.equal(s2.collection<string>('users').get('u')?.value, 'OLD-FORMAT');
  await s2.close();
  const s3 = await Store.open(dir, v3);
  await s3.close();
  assert.deepEqual(ran, ['1', '2', '3']);
});

test('a database newer than the code is refused', async () => {
  const s = await Store.open(dir, [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'future', up: async () => {} }]);
  await s.close();
  await assert.rejects(Store.open(dir), /newer than this Steward knows/);
});
