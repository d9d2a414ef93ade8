import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromB64url, toB64url } from './webauthn.ts';

test('base64url round-trips binary data without padding', () => {
  const bytes = new Uint8Array([0, 1, 250, 251, 252, 253, 254, 255, 62, 63]);
  const s = toB64url(bytes)!;
  assert.match(s, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(new Uint8Array(fromB64url(s)), bytes);
  assert.equal(toB64url(null), undefined);
  assert.equal(Buffer.from(fromB64url('aGk')).toString(), 'hi');
});
