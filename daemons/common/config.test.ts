import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ConfigError, ConfigSchema, parseConfig } from './config.ts';

test('an empty file means every default', () => {
  const c = parseConfig('');
  assert.equal(c.PORT, 443);
  assert.equal(c.DATA_DIR, '/var/lib/steward');
  assert.deepEqual(c.TRUSTED_PROXIES, []);
});

test('the shipped etc/steward.conf documents every key with its default', () => {
  const text = readFileSync(new URL('../../etc/steward.conf', import.meta.url), 'utf8');
  const defaults = parseConfig('');
  for (const key of Object.keys(ConfigSchema.shape)) {
    const m = new RegExp(`^#${key}=(.*)$`, 'm').exec(text);
    assert.ok(m, `etc/steward.conf documents ${key}`);
    const shown = parseConfig(`${key}=${m[1]}`)[key as keyof typeof defaults];
    assert.deepEqual(shown, defaults[key as keyof typeof defaults], `${key}: the commented value is the default`);
  }
});

test('comments, quotes and lists are parsed; the result is deeply frozen', () => {
  const c = parseConfig('# comment\nPORT=8443\nTRUSTED_PROXIES="10.0.0.0/8, fd00::/8"\n');
  assert.equal(c.PORT, 8443);
  assert.deepEqual(c.TRUSTED_PROXIES, ['10.0.0.0/8', 'fd00::/8']);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.TRUSTED_PROXIES));
  assert.throws(() => { (c as { PORT: number }).PORT = 1; }, TypeError);
});

test('every problem is reported at once', () => {
  try {
    parseConfig('PORT=99999\nDATA_DIR=relative\nLOG_LEVEL=loud\nTYPO=1\n', '/etc/steward/steward.conf');
    assert.fail('should throw');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.problems.length, 4, err.message);
    assert.match(err.message, /^\/etc\/steward\/steward.conf: 4 problem/);
    assert.match(err.message, /unknown key\(s\): TYPO/);
    assert.match(err.message, /DATA_DIR: must be an absolute path/);
  }
});
