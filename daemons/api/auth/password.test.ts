import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, verifyPassword } from './password.ts';

test('scrypt PHC strings: parameters recorded, salted, verified in constant time', async () => {
  const h = await hashPassword('correct horse', 10);
  assert.match(h, /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  assert.notEqual(h, await hashPassword('correct horse', 10), 'salted');
  assert.ok(await verifyPassword('correct horse', h));
  assert.ok(!(await verifyPassword('correct horsE', h)));
  assert.ok(!(await verifyPassword('correct horse', h.replace('ln=10', 'ln=11'))));
  assert.ok(!(await verifyPassword('x', 'plaintext')));
  assert.ok(!(await verifyPassword('x', '$scrypt$ln=40,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')), 'absurd costs are refused, not computed');
});

test('the default cost is OWASP’s scrypt N=2^15', async () => {
  assert.match(await hashPassword('x'), /^\$scrypt\$ln=15,r=8,p=1\$/);
});
