// The extract stays honest: re-extracting from ../shared/proxmox-api gives the committed file
// (skipped with a message when the reference data is not beside the checkout), every served
// operation is in it, and the coverage report in docs/simulator.md is current.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { EXTRACT_FILE, SHARED_API_DIR, extract, loadExtract, serialize } from './extract.ts';
import { DOC_FILE, withCoverage } from './coverage.ts';
import { allOperationKeys } from '../routes.ts';
import { checkRequest, checkResponse } from './check-request.ts';
import { compilePattern } from './validate.ts';

const shared = existsSync(SHARED_API_DIR);

test('the committed extract matches a fresh extraction from ../shared/proxmox-api', { skip: shared ? false : `${SHARED_API_DIR} is absent: drift not checked` }, () => {
  const fresh = serialize(extract(SHARED_API_DIR, allOperationKeys()));
  assert.ok(fresh === readFileSync(EXTRACT_FILE, 'utf8'), 'tests/sim/schema-extract.json drifted: run node --import tsx tests/sim/schema/extract.ts');
});

test('the extract holds exactly the served operations, without description text', () => {
  const e = loadExtract();
  assert.deepEqual(Object.keys(e.operations).sort(), allOperationKeys().sort());
  const text = readFileSync(EXTRACT_FILE, 'utf8');
  // Text, not names: a property may well be called "description" (a guest's notes).
  assert.doesNotMatch(text, /"(description|verbose_description|typetext|title|format_description)": "/);
});

test('the coverage report in docs/simulator.md is current', () => {
  const doc = readFileSync(DOC_FILE, 'utf8');
  assert.ok(withCoverage(doc) === doc, 'run node --import tsx tests/sim/schema/coverage.ts --write');
});

test('checkRequest refuses unknown operations, unknown and mistyped parameters', () => {
  assert.deepEqual(checkRequest('pve', 'GET', '/cluster/resources?type=vm'), []);
  assert.match(checkRequest('pve', 'GET', '/cluster/resources?type=qemu')[0]!, /type.*enumeration/);
  assert.match(checkRequest('pve', 'GET', '/cluster/resources', { full: 1 })[0]!, /'full'.*not defined/);
  assert.match(checkRequest('pve', 'POST', '/nodes/pve1/qemu/100/migrate', {})[0]!, /'target'.*missing/);
  assert.match(checkRequest('pve', 'GET', '/nodes/pve1/qemu/abc/status/current')[0]!, /vmid/);
  assert.match(checkRequest('pve', 'GET', '/no/such/thing')[0]!, /no such operation/);
  assert.deepEqual(checkRequest('pbs', 'GET', '/nodes/localhost/tasks', { statusfilter: ['ok', 'error'], limit: '10' }), []);
  assert.match(checkRequest('pbs', 'GET', '/nodes/localhost/tasks', { statusfilter: 'fine' })[0]!, /statusfilter/);
});

test('checkResponse refuses missing fields, wrong types and unknown fields', () => {
  assert.deepEqual(checkResponse('pve', 'GET', '/version', { version: '9.1.1', release: '9.1', repoid: 'abcdef01' }), []);
  assert.match(checkResponse('pve', 'GET', '/version', { version: '9.1.1', repoid: 'abcdef01' })[0]!.message, /missing/);
  assert.match(checkResponse('pve', 'GET', '/version', { version: 9, release: '9.1', repoid: 'abcdef01' })[0]!.message, /string/);
  assert.match(checkResponse('pve', 'GET', '/version', { version: '9', release: '9.1', repoid: 'abcdef01', extra: 1 })[0]!.message, /not defined/);
  // PVE (Perl) writes booleans as 0/1, PBS (Rust) as true/false.
  assert.deepEqual(checkResponse('pve', 'GET', '/cluster/status', [{ type: 'node', id: 'node/a', name: 'a', online: 1 }]), []);
  assert.equal(checkResponse('pbs', 'GET', '/admin/datastore/x/snapshots', [{ 'backup-type': 'vm', 'backup-id': '1', 'backup-time': 5, files: [], protected: 1 }]).length > 0, true);
});

test('Proxmox patterns compile: Perl (?^:…) groups, POSIX classes, PBS /…/ delimiters', () => {
  assert.ok(compilePattern('(?^:^(?^:[^\\s:/]+)\\@(?^:[A-Za-z][A-Za-z0-9\\.\\-_]+)$)', 'pve')!.test('root@pam'));
  assert.ok(compilePattern('/^[[:^cntrl:]]*$/', 'pbs')!.test('a comment'));
  assert.ok(!compilePattern('/^[[:^cntrl:]]*$/', 'pbs')!.test('bad\nline'));
  assert.ok(!compilePattern('[0-9a-fA-F]{8,64}', 'pve')!.test('xyz'), 'PVE patterns are anchored');
});
