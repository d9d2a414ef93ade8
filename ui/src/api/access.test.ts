import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { newTotpSecret, totpUri } from './access.ts';

test('a new TOTP secret is 160 bits of base32 that an authenticator (otpauth) accepts', () => {
  const secret = newTotpSecret();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.notEqual(secret, newTotpSecret());
  const uri = totpUri('alice@steward', secret);
  assert.match(uri, /^otpauth:\/\/totp\/Steward%3Aalice%40steward\?secret=[A-Z2-7]{32}&issuer=Steward/);
  const totp = new TOTP({ secret: Secret.fromBase32(secret) });
  assert.equal(totp.validate({ token: totp.generate(), window: 0 }), 0);
});
