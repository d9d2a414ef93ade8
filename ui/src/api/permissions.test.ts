import assert from 'node:assert/strict';
import { test } from 'node:test';
import { can, canAnywhereUnder } from './permissions.ts';

test('a grant propagates down the path, not up or sideways', () => {
  const map = { '/remotes/pve1': { audit: 1, manage: 1 } };
  assert.equal(can(map, '/remotes/pve1', 'manage'), true);
  assert.equal(can(map, '/remotes/pve1/qemu/100', 'manage'), true);
  assert.equal(can(map, '/remotes/pve1', 'admin'), false);
  assert.equal(can(map, '/remotes', 'audit'), false);
  assert.equal(can(map, '/remotes/pve10', 'audit'), false);
  assert.equal(canAnywhereUnder(map, '/remotes', 'manage'), true);
  assert.equal(canAnywhereUnder(map, '/access', 'audit'), false);
});

test('the nearest listed path decides: an empty entry (NoAccess) cuts what a parent grants', () => {
  const map = { '/': { audit: 1, manage: 1 }, '/remotes/secret': {} };
  assert.equal(can(map, '/remotes/pve1', 'manage'), true);
  assert.equal(can(map, '/remotes/secret', 'audit'), false);
  assert.equal(can(map, '/remotes/secret/qemu/100', 'audit'), false);
  assert.equal(can({}, '/', 'audit'), false);
});

test('admin implies manage implies audit; zero means not held', () => {
  const map = { '/': { admin: 1 } };
  assert.equal(can(map, '/system', 'audit'), true);
  assert.equal(can(map, '/system', 'admin'), true);
  assert.equal(can({ '/': { audit: 0 } }, '/', 'audit'), false);
});
