import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CredentialKey } from './credential-key.ts';

const dir = mkdtempSync(join(tmpdir(), 'steward-key-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the key file is created 0600 at first start and read back the same', () => {
  const file = join(dir, 'etc', 'credential.key');
  const a = CredentialKey.loadOrCreate(file);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.match(readFileSync(file, 'utf8'), /^[0-9a-f]{64}\n$/);
  const sealed = a.seal('s3cret', 'remote:a/credential:x');
  assert.equal(CredentialKey.loadOrCreate(file).open(sealed, 'remote:a/credential:x'), 's3cret');
});

test('sealing is randomised, bound to its remote and credential, and fails under another key', () => {
  const k = CredentialKey.loadOrCreate(join(dir, 'k2'));
  const s1 = k.seal('token-secret', 'remote:a/credential:x');
  assert.notEqual(s1, k.seal('token-secret', 'remote:a/credential:x'));
  assert.ok(!s1.includes('token-secret'));
  assert.throws(() => k.open(s1, 'remote:b/credential:x'));
  assert.throws(() => CredentialKey.loadOrCreate(join(dir, 'k3')).open(s1, 'remote:a/credential:x'));
});

test('a key file readable by others is refused', () => {
  const file = join(dir, 'k4');
  CredentialKey.loadOrCreate(file);
  chmodSync(file, 0o644);
  assert.throws(() => CredentialKey.loadOrCreate(file), /readable by others/);
});
