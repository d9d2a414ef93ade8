import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFileAtomic } from './atomic-fs.ts';
import { execFile } from './exec.ts';

test('execFile passes argv verbatim: shell metacharacters stay data', async () => {
  const r = await execFile('/bin/echo', ['$(id)', '; rm -rf /', '`x`']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '$(id) ; rm -rf / `x`\n');
});

test('execFile refuses relative program paths', () => {
  assert.throws(() => execFile('echo', ['x']), /absolute path/);
});

test('execFile kills a program that overruns its timeout', async () => {
  const started = Date.now();
  const r = await execFile('/bin/sleep', ['5'], { timeoutMs: 100 });
  assert.equal(r.timedOut, true);
  assert.equal(r.signal, 'SIGTERM');
  assert.ok(Date.now() - started < 3000);
});

test('execFile stops what the program started too: a shell waiting on a child ends at the timeout', async () => {
  const started = Date.now();
  const r = await execFile('/bin/sh', ['-c', 'echo before; sleep 30; echo after'], { timeoutMs: 300 });
  assert.equal(r.timedOut, true);
  assert.equal(r.stdout, 'before\n');
  assert.ok(Date.now() - started < 3000, 'the sleeping child held the pipes open');
});

test('execFile stops the program when its signal aborts, and streams output as it comes', async () => {
  const ac = new AbortController();
  const seen: string[] = [];
  const p = execFile('/bin/sh', ['-c', 'echo one; sleep 30'], { onOutput: (c) => { seen.push(c); ac.abort(); }, signal: ac.signal });
  const r = await p;
  assert.deepEqual(seen, ['one\n']);
  assert.equal(r.signal, 'SIGTERM');
});

test('execFile caps captured output', async () => {
  const r = await execFile('/usr/bin/head', ['-c', '100000', '/dev/zero'], { maxOutput: 1000 });
  assert.equal(r.truncated, true);
  assert.equal(r.stdout.length, 1000);
});

test('execFile runs with a minimal environment', async () => {
  process.env.STEWARD_SECRET_IN_PARENT = 'x';
  const r = await execFile('/usr/bin/env', []);
  assert.doesNotMatch(r.stdout, /STEWARD_SECRET_IN_PARENT/);
  assert.match(r.stdout, /^PATH=/m);
});

test('writeFileAtomic replaces the file with the given mode and leaves no temp file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steward-atomic-'));
  try {
    const path = join(dir, 'conf');
    await writeFileAtomic(path, 'one', { mode: 0o600 });
    await writeFileAtomic(path, 'two', { mode: 0o640 });
    assert.equal(readFileSync(path, 'utf8'), 'two');
    assert.equal(statSync(path).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(dir), ['conf']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
