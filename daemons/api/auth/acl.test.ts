import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aclPath, evaluate, indexByPath } from './acl.ts';
import type { AclEntry, AclRole, Subject } from './acl.ts';

const u = (path: string, roleid: AclRole, propagate = true, ugid = 'alice@steward'): AclEntry => ({ path, type: 'user', ugid, roleid, propagate });
const g = (path: string, roleid: AclRole, ugid = 'ops', propagate = true): AclEntry => ({ path, type: 'group', ugid, roleid, propagate });
const alice: Subject = { type: 'user', id: 'alice@steward', groups: ['ops'] };

// [case, entries, path, expected role (null = none), alice's groups if not ['ops']]
const CASES: [string, AclEntry[], string, string | null, string[]?][] = [
  ['no entries: nothing', [], '/remotes/pve1', null],
  ['a grant on / propagates everywhere', [u('/', 'Audit')], '/remotes/pve1/qemu/100', 'Audit'],
  ['a grant applies on its own path', [u('/remotes/pve1', 'Manage')], '/remotes/pve1', 'Manage'],
  ['a grant does not reach sideways', [u('/remotes/pve1', 'Manage')], '/remotes/pve2', null],
  ['a grant does not reach upwards', [u('/remotes/pve1', 'Manage')], '/remotes', null],
  ['a non-propagating grant stays on its path', [u('/remotes', 'Admin', false)], '/remotes/pve1', null],
  ['a non-propagating grant applies on its path', [u('/remotes', 'Admin', false)], '/remotes', 'Admin'],
  ['the more specific path wins, even with less', [u('/', 'Admin'), u('/remotes/pve1', 'Audit')], '/remotes/pve1/node/x', 'Audit'],
  ['the more specific path wins, with more', [u('/', 'Audit'), u('/remotes/pve1', 'Admin')], '/remotes/pve1', 'Admin'],
  ['NoAccess cuts a subtree', [u('/', 'Admin'), u('/remotes/secret', 'NoAccess')], '/remotes/secret/qemu/1', null],
  ['NoAccess does not cut siblings', [u('/', 'Admin'), u('/remotes/secret', 'NoAccess')], '/remotes/other', 'Admin'],
  ['a grant below a NoAccess re-opens', [u('/remotes', 'NoAccess'), u('/remotes/pve1', 'Audit')], '/remotes/pve1', 'Audit'],
  ['a group grant applies to members', [g('/remotes', 'Manage')], '/remotes/pve1', 'Manage'],
  ['a group grant does not apply to others', [g('/remotes', 'Manage', 'customers')], '/remotes/pve1', null],
  ['the highest of several groups at a level', [g('/', 'Audit', 'ops'), g('/', 'Manage', 'devs')], '/system', 'Manage', ['ops', 'devs']],
  ['user entries replace group entries at the same level', [u('/remotes', 'Audit'), g('/remotes', 'Admin')], '/remotes/pve1', 'Audit'],
  ['a group NoAccess at a level wins over the group roles there', [g('/remotes', 'NoAccess'), g('/remotes', 'Admin', 'ops2')], '/remotes/x', null],
  ['explicit NoAccess wins at its level over a role', [u('/views/v1', 'NoAccess'), g('/views/v1', 'Admin')], '/views/v1', null],
  ['a group grant deeper beats a user grant higher', [u('/', 'Audit'), g('/remotes/pve1', 'Admin')], '/remotes/pve1', 'Admin'],
  ['another user’s entries do not count', [u('/', 'Admin', true, 'bob@steward')], '/', null],
  ['a token entry is not the user’s', [{ path: '/', type: 'token', ugid: 'alice@steward!t', roleid: 'Admin', propagate: true }], '/', null],
];

for (const [name, entries, path, want, groups] of CASES) {
  test(`ACL: ${name}`, () => {
    assert.equal(evaluate(indexByPath(entries), { ...alice, groups: groups ?? alice.groups }, path).role, want);
  });
}

test('ACL: a NoAccess decision is reported as such (groups of remotes must not override it)', () => {
  assert.deepEqual(evaluate(indexByPath([u('/remotes/pve1', 'NoAccess')]), alice, '/remotes/pve1/qemu/1'), { role: null, noAccess: true });
  assert.deepEqual(evaluate(indexByPath([]), alice, '/remotes/pve1'), { role: null, noAccess: false });
});

test('ACL paths: the documented ones only', () => {
  for (const ok of ['/', '/system', '/access', '/remotes', '/remotes/pve1', '/remotes/pve1/qemu/100', '/groups', '/groups/customer-a', '/views/v1']) assert.ok(aclPath.safeParse(ok).success, ok);
  for (const bad of ['', 'remotes', '/remotes/', '/system/x', '/access/users', '/groups/a/b', '/views/a/b', '/nope', '/remotes/../x', '//', '/remotes/a b']) assert.ok(!aclPath.safeParse(bad).success, bad);
});
