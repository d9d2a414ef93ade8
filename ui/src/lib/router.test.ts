import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchRoute } from './router.ts';

const routes = [
  { pattern: '/', tag: 'st-a', title: 'A' },
  { pattern: '/resources', tag: 'st-b', title: 'B' },
  { pattern: '/guests/:remote/:type/:vmid', tag: 'st-c', title: 'C' },
];

test('patterns match whole paths and decode parameters', () => {
  assert.equal(matchRoute(routes, '/')?.route.tag, 'st-a');
  assert.equal(matchRoute(routes, '/resources/')?.route.tag, 'st-b');
  const m = matchRoute(routes, '/guests/pve%201/qemu/100', '?tab=log');
  assert.deepEqual(m?.params, { remote: 'pve 1', type: 'qemu', vmid: '100' });
  assert.equal(m?.query.get('tab'), 'log');
  assert.equal(matchRoute(routes, '/guests/pve1/qemu'), undefined);
  assert.equal(matchRoute(routes, '/guests/%E0%A4%A/qemu/1'), undefined);
});
