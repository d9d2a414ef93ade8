import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMeminfo, parseOsRelease } from './system-info.ts';

test('os-release values are unquoted and unescaped', () => {
  const r = parseOsRelease('PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nID=debian\nVERSION=\'13 (trixie)\'\n# comment\nNAME="A \\"quoted\\" name"\n');
  assert.deepEqual(r, { PRETTY_NAME: 'Debian GNU/Linux 13 (trixie)', ID: 'debian', VERSION: '13 (trixie)', NAME: 'A "quoted" name' });
});

test('meminfo is read in bytes', () => {
  assert.deepEqual(parseMeminfo('MemTotal:       16384 kB\nMemFree:         1024 kB\nMemAvailable:    8192 kB\n'), {
    total: 16384 * 1024, free: 1024 * 1024, available: 8192 * 1024,
  });
});
