import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { Duplex } from 'node:stream';
import { test } from 'node:test';
import { ApiError } from '../../shared/errors.ts';
import { PRIVD_MAX_FRAME, PROGRESS_LINES_MAX, PROGRESS_LINE_MAX, RPC_ERRORS } from '../../shared/privd-methods.ts';
import { Logger, setLogSink } from '../common/log.ts';
import { PrivdClient } from '../api/privd-client.ts';
import type { HandlerTable } from './method.ts';
import { HANDLERS } from './methods/index.ts';
import { RpcServer } from './rpc-server.ts';

/** Two connected in-memory duplex streams. */
function pair(): [Duplex, Duplex] {
  const aToB = new PassThrough();
  const bToA = new PassThrough();
  const a = Duplex.from({ readable: bToA, writable: aToB });
  const b = Duplex.from({ readable: aToB, writable: bToA });
  return [a, b];
}

const actor = { user: 'root@steward', ip: '192.0.2.1', requestId: 'r1' };

function serverWith(handlers: HandlerTable = HANDLERS) {
  const lines: string[] = [];
  const log = new Logger();
  const prev = setLogSink((l) => lines.push(l));
  const server = new RpcServer(handlers, log);
  const [clientEnd, serverEnd] = pair();
  server.serve(serverEnd);
  const client = new PrivdClient(() => clientEnd, log, 2000);
  return { server, client, clientEnd, lines, restore: () => setLogSink(prev) };
}

/** Sends raw frames and collects the parsed answers. */
async function raw(clientEnd: Duplex, frames: string[], expected: number): Promise<Record<string, unknown>[]> {
  const answers: Record<string, unknown>[] = [];
  let buf = '';
  return new Promise((resolve) => {
    clientEnd.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        answers.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
        buf = buf.slice(nl + 1);
        if (answers.length === expected) resolve(answers);
      }
    });
    for (const f of frames) clientEnd.write(f);
  });
}

test('system.info answers with real host facts and logs one audit line with the actor', async () => {
  const { client, lines, restore } = serverWith();
  try {
    const info = await client.call('system.info', {}, actor);
    assert.ok(info.hostname.length > 0);
    assert.ok(info.memory.total > 0, 'memory from /proc/meminfo');
    assert.ok(info.uptime > 0);
    assert.equal(info.loadavg.length, 3);
    const audit = lines.filter((l) => l.includes('privd call'));
    assert.equal(audit.length, 1);
    assert.match(audit[0]!, /method=system.info user=root@steward ip=192.0.2.1 request=r1 result=ok/);
  } finally {
    restore();
  }
});

test('unknown methods, bad params and malformed frames get JSON-RPC errors, not a crash', async () => {
  const { clientEnd, restore } = serverWith();
  try {
    const answers = await raw(clientEnd, [
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'shell.exec', params: { actor, args: { cmd: 'id' } } }) + '\n',
      JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'system.info', params: { actor, args: { extra: 1 } } }) + '\n',
      '{"jsonrpc":"2.0","id":3,' + '\n',
      JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'system.info', params: { args: {} } }) + '\n',
      JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'system.info', params: { actor, args: {} } }) + '\n',
    ], 5);
    const byId = new Map(answers.map((a) => [a.id, a]));
    assert.equal((byId.get(1)!.error as { code: number }).code, RPC_ERRORS.methodNotFound);
    assert.equal((byId.get(2)!.error as { code: number }).code, RPC_ERRORS.invalidParams);
    assert.equal((byId.get(4)!.error as { code: number }).code, RPC_ERRORS.invalidRequest, 'a call without an actor is refused');
    assert.ok(byId.get(5)!.result, 'the connection still works after bad frames');
    const parseErr = answers.find((a) => a.id === null && (a.error as { code: number }).code === RPC_ERRORS.parseError);
    assert.ok(parseErr, 'malformed JSON → parse error');
  } finally {
    restore();
  }
});

test('an oversized frame is rejected without buffering it, and the connection recovers', async () => {
  const { clientEnd, restore } = serverWith();
  try {
    const big = '{"x":"' + 'a'.repeat(PRIVD_MAX_FRAME + 10) + '"}\n';
    const answers = await raw(clientEnd, [big, JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'system.info', params: { actor, args: {} } }) + '\n'], 2);
    assert.equal((answers[0]!.error as { message: string }).message, 'frame too large');
    assert.ok(answers[1]!.result);
  } finally {
    restore();
  }
});

test('concurrent calls on one connection are answered to the right caller', async () => {
  let n = 0;
  const slow: HandlerTable = {
    ...HANDLERS,
    'system.info': async (p, ctx) => {
      const i = n++;
      await new Promise((r) => setTimeout(r, 30 - i * 5));
      const info = await HANDLERS['system.info'](p, ctx);
      return { ...info, hostname: `h${i}` };
    },
  };
  const { client, restore } = serverWith(slow);
  try {
    const results = await Promise.all(Array.from({ length: 5 }, () => client.call('system.info', {}, actor)));
    assert.deepEqual(results.map((r) => r.hostname), ['h0', 'h1', 'h2', 'h3', 'h4']);
  } finally {
    restore();
  }
});

test('domain errors carry the catalogue code to the API side', async () => {
  const failing: HandlerTable = { ...HANDLERS, 'system.info': async () => { throw new ApiError('conflict', 'busy'); } };
  const { client, restore } = serverWith(failing);
  try {
    await assert.rejects(client.call('system.info', {}, actor), (e: ApiError) => e.code === 'conflict' && e.message === 'busy');
  } finally {
    restore();
  }
});

test('a result outside the method schema is an internal error', async () => {
  const lying: HandlerTable = { ...HANDLERS, 'system.info': async () => ({ hostname: 1 }) as never };
  const { client, restore } = serverWith(lying);
  try {
    await assert.rejects(client.call('system.info', {}, actor), (e: ApiError) => e.code === 'internal');
  } finally {
    restore();
  }
});

test('a privd that never answers is a timeout for the caller, not a hang', async () => {
  const [clientEnd] = pair();
  const client = new PrivdClient(() => clientEnd, new Logger(), 100);
  const started = Date.now();
  await assert.rejects(client.call('system.info', {}, actor), (e: ApiError) => e.code === 'timeout' && e.status === 504);
  assert.ok(Date.now() - started < 2000);
});

test('progress lines reach the call they belong to while it runs, cut to length, and bounded in number', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const streaming: HandlerTable = {
    ...HANDLERS,
    'apt.update': async (_p, { progress }) => {
      progress('first');
      progress('x'.repeat(PROGRESS_LINE_MAX + 500));
      await gate;
      for (let i = 0; i < PROGRESS_LINES_MAX + 50; i++) progress(`line ${i}`);
      return { ok: true, exitCode: 0, output: '' };
    },
    // A method not marked `progress` has nowhere to send lines: they are dropped.
    'system.info': async (p, ctx) => {
      ctx.progress('never sent');
      return HANDLERS['system.info'](p, ctx);
    },
  };
  const { client, restore } = serverWith(streaming);
  try {
    const lines: string[] = [];
    const other: string[] = [];
    const call = client.call('apt.update', {}, actor, 5000, (l) => lines.push(l));
    await client.call('system.info', {}, actor, 5000, (l) => other.push(l));
    for (let i = 0; i < 50 && lines.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(lines.map((l) => l.length), [5, PROGRESS_LINE_MAX], 'seen before the call ends');
    release();
    await call;
    assert.equal(lines.length, PROGRESS_LINES_MAX + 1);
    assert.match(lines.at(-1)!, /more than 10000 lines/);
    assert.deepEqual(other, []);
  } finally {
    restore();
  }
});

test('a malformed progress frame is dropped; the call still gets its answer', async () => {
  const [clientEnd, serverEnd] = pair();
  const client = new PrivdClient(() => clientEnd, new Logger(), 2000);
  serverEnd.on('data', (d: Buffer) => {
    const req = JSON.parse(d.toString()) as { id: number };
    serverEnd.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'progress', params: { call: req.id, line: 1 } })}\n`);
    serverEnd.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'progress', params: { call: req.id, line: 'ok' } })}\n`);
    serverEnd.write(`${JSON.stringify({ jsonrpc: '2.0', id: req.id, result: { ok: true, exitCode: 0, output: '' } })}\n`);
  });
  const lines: string[] = [];
  assert.equal((await client.call('apt.update', {}, actor, 2000, (l) => lines.push(l))).ok, true);
  assert.deepEqual(lines, ['ok']);
});
