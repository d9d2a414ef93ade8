import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TicketCodec, TICKET_LIFETIME_S, TFA_TICKET_LIFETIME_S } from './ticket.ts';
import { TicketKeys } from './ticket-keys.ts';

const NOW = 1_767_000_000;

test('a full ticket round-trips; any change to it is refused', () => {
  const codec = new TicketCodec(TicketKeys.fromKeys([randomBytes(32)]));
  const t = codec.full('alice@steward', 'sABC', NOW);
  assert.deepEqual(codec.parseFull(t, NOW + 10), { userid: 'alice@steward', sid: 'sABC', time: NOW });
  const [unsigned, sig] = t.split('::') as [string, string];
  for (const bad of [
    t.replace('alice', 'mallory'),
    t.replace('sABC', 'sABD'),
    `${unsigned.replace(/:[0-9A-F]+$/, `:${(NOW + 3600).toString(16).toUpperCase()}`)}::${sig}`,
    `${unsigned}::${sig.slice(0, -2)}`,
    `${unsigned}::`,
    t.replace('STEWARD:', 'PBS:'),
    `${t}x`,
  ]) assert.equal(codec.parseFull(bad, NOW), null, bad);
});

test('tickets expire after 2 h and are refused from the far future; another key’s tickets fail', () => {
  const codec = new TicketCodec(TicketKeys.fromKeys([randomBytes(32)]));
  const t = codec.full('a@steward', 's1', NOW);
  assert.ok(codec.parseFull(t, NOW + TICKET_LIFETIME_S - 1));
  assert.equal(codec.parseFull(t, NOW + TICKET_LIFETIME_S), null);
  assert.equal(codec.parseFull(t, NOW - 3600), null);
  const other = new TicketCodec(TicketKeys.fromKeys([randomBytes(32)]));
  assert.equal(other.parseFull(t, NOW), null);
});

test('key rotation: the new key signs, the old one still verifies until removed', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const before = new TicketCodec(TicketKeys.fromKeys([oldKey]));
  const rotated = new TicketCodec(TicketKeys.fromKeys([newKey, oldKey]));
  const after = new TicketCodec(TicketKeys.fromKeys([newKey]));
  const t = before.full('a@steward', 's1', NOW);
  assert.ok(rotated.parseFull(t, NOW));
  assert.ok(after.parseFull(rotated.full('a@steward', 's1', NOW), NOW), 'new tickets use the new key');
  assert.equal(after.parseFull(t, NOW), null);
});

test('challenge tickets are bound to their user, are no sessions, and last 5 minutes', () => {
  const codec = new TicketCodec(TicketKeys.fromKeys([randomBytes(32)]));
  const t = codec.challenge('a@steward', { totp: true }, NOW);
  assert.match(t, /^STEWARD:!tfa!%7B%22totp%22%3Atrue%7D:[0-9A-F]{8}::/);
  assert.deepEqual(codec.parseChallenge(t, 'a@steward', NOW)?.challenge, { totp: true });
  assert.equal(codec.parseChallenge(t, 'b@steward', NOW), null);
  assert.equal(codec.parseFull(t, NOW), null);
  assert.equal(codec.parseChallenge(codec.full('a@steward', 's', NOW), 'a@steward', NOW), null);
  assert.equal(codec.parseChallenge(t, 'a@steward', NOW + TFA_TICKET_LIFETIME_S), null);
});

test('a CSRF token belongs to one session and expires with the ticket lifetime', () => {
  const codec = new TicketCodec(TicketKeys.fromKeys([randomBytes(32)]));
  const csrf = codec.csrf('a@steward', 's1', NOW);
  assert.ok(codec.checkCsrf(csrf, 'a@steward', 's1', NOW));
  assert.ok(!codec.checkCsrf(csrf, 'a@steward', 's2', NOW));
  assert.ok(!codec.checkCsrf(csrf, 'b@steward', 's1', NOW));
  assert.ok(!codec.checkCsrf(csrf, 'a@steward', 's1', NOW + TICKET_LIFETIME_S));
  assert.ok(!codec.checkCsrf('garbage', 'a@steward', 's1', NOW));
});

test('the key file is created 0600 with one key, reused, and refused when others can read it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ticket-key-'));
  try {
    const file = join(dir, 'sub', 'ticket.key');
    const a = TicketKeys.loadOrCreate(file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const b = TicketKeys.loadOrCreate(file);
    assert.ok(b.verify('x', a.sign('x')));
    chmodSync(file, 0o644);
    assert.throws(() => TicketKeys.loadOrCreate(file), /readable by others/);
    writeFileSync(join(dir, 'bad.key'), 'nothex\n', { mode: 0o600 });
    assert.throws(() => TicketKeys.loadOrCreate(join(dir, 'bad.key')), /32-byte hex keys/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('only the signature as signed passes: other spellings of the same bytes are refused', () => {
  const keys = TicketKeys.fromKeys([randomBytes(32)]);
  const sig = keys.sign('text');
  assert.ok(keys.verify('text', sig));
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = ALPHABET.indexOf(sig.at(-1)!);
  // The last of 43 characters holds 4 bits of the HMAC and 2 padding bits.
  const respelled = [1, 2, 3].map((bits) => sig.slice(0, -1) + ALPHABET[last ^ bits]);
  assert.deepEqual(respelled.map((s) => Buffer.from(s, 'base64url').equals(Buffer.from(sig, 'base64url'))), [true, true, true], 'the same bytes');
  for (const bad of [...respelled, `${sig}=`, `${sig}.`, ` ${sig}`, sig.replace(/^./, (c) => `${c}!`)]) assert.equal(keys.verify('text', bad), false, bad);
});
