import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Logger, formatLine, setLogLevel, setLogSink } from './log.ts';

test('lines carry the journald priority and key=value fields, quoted when needed', () => {
  assert.equal(formatLine('error', 'failed', { user: 'a@steward', why: 'two words', n: 3 }), '<3>failed user=a@steward why="two words" n=3');
  assert.equal(formatLine('info', 'multi\nline', {}), '<6>multi line', 'a message cannot forge a second log line');
});

test('secret-looking fields are redacted', () => {
  const line = formatLine('info', 'login', { password: 'hunter2', ticket: 'PVE:x', secret: 's', Authorization: 'Bearer x', csrf: 'c', user: 'bob' });
  assert.doesNotMatch(line, /hunter2|PVE:x|Bearer|=s |=c /);
  assert.match(line, /user=bob/);
});

test('child loggers add fields; the level threshold filters', () => {
  const lines: string[] = [];
  const prev = setLogSink((l) => lines.push(l));
  try {
    const child = new Logger({ component: 'x' }).child({ req: 'r1' });
    child.info('hello', { a: 1 });
    setLogLevel('warn');
    child.info('dropped');
    child.warn('kept');
    assert.deepEqual(lines, ['<6>hello component=x req=r1 a=1', '<4>kept component=x req=r1']);
  } finally {
    setLogLevel('info');
    setLogSink(prev);
  }
});
