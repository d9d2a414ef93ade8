import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { RELEASE, VERSION } from './version.ts';

test('shared/version.ts, package.json and debian/changelog agree on the version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(VERSION, pkg.version);
  assert.ok(VERSION.startsWith(RELEASE + '.'));
  const changelog = new URL('../debian/changelog', import.meta.url);
  if (existsSync(changelog)) {
    const m = /^steward \(([^)]+)\)/.exec(readFileSync(changelog, 'utf8'));
    assert.equal(m?.[1]?.replace(/-\d+$/, ''), VERSION);
  }
});
