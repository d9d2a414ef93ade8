import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { RELEASE, VERSION } from './version.ts';

test('shared/version.ts, package.json and debian/changelog agree on the version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(VERSION, pkg.version);
  assert.ok(VERSION.startsWith(RELEASE + '.'));
  const m = /^steward \(([^)]+)\)/.exec(readFileSync(new URL('../debian/changelog', import.meta.url), 'utf8'));
  assert.equal(m?.[1], VERSION, 'debian/changelog (a native package: no Debian revision)');
});
