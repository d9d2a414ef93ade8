// steward-privd's JSON-RPC server: reads frames from a connection, validates each call
// against the closed method table, runs the handler, and logs one audit line per call.
import type { Duplex } from 'node:stream';
import { ApiError } from '../../shared/errors.ts';
import { PRIVD_METHODS, PROGRESS_LINE_MAX, PROGRESS_LINES_MAX, RPC_ERRORS, isPrivdMethod, privdActor, sendsProgress } from '../../shared/privd-methods.ts';
import type { PrivdMethod } from '../../shared/privd-methods.ts';
import { readFrames, writeFrame } from '../common/jsonrpc.ts';
import type { RpcError, RpcResponse } from '../common/jsonrpc.ts';
import type { Logger } from '../common/log.ts';
import type { HandlerTable, MethodHandler, PrivdEnv } from './method.ts';
import { parseConfig } from '../common/config.ts';
import { z } from 'zod';

const envelope = z.strictObject({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.number().int(), z.string().max(64), z.null()]),
  method: z.string().max(64),
  params: z.strictObject({ actor: privdActor, args: z.unknown() }),
});

function fieldErrors(err: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of err.issues) out[issue.path.join('.') || '(params)'] = issue.message;
  return out;
}

export class RpcServer {
  private inFlight = 0;

  constructor(
    private readonly handlers: HandlerTable,
    private readonly log: Logger,
    readonly env: PrivdEnv = { config: parseConfig(''), configFile: '/dev/null', apiGid: undefined, now: Date.now },
  ) {}

  get busy(): number {
    return this.inFlight;
  }

  /** Serves one connection until it closes. Calls on one connection may run concurrently. */
  serve(conn: Duplex): void {
    conn.on('error', (err) => this.log.debug('privd connection error', { err }));
    const closed = new AbortController();
    conn.once('close', () => closed.abort());
    readFrames(
      conn,
      (line) => void this.handleLine(conn, line, closed.signal),
      () => {
        writeFrame(conn, { jsonrpc: '2.0', id: null, error: { code: RPC_ERRORS.invalidRequest, message: 'frame too large' } });
        this.log.warn('privd rejected oversized frame');
      },
    );
  }

  private async handleLine(conn: Duplex, line: string, signal: AbortSignal): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      writeFrame(conn, { jsonrpc: '2.0', id: null, error: { code: RPC_ERRORS.parseError, message: 'parse error' } });
      return;
    }
    const req = envelope.safeParse(parsed);
    if (!req.success) {
      const id = (parsed as { id?: unknown })?.id;
      writeFrame(conn, {
        jsonrpc: '2.0',
        id: typeof id === 'number' || typeof id === 'string' ? id : null,
        error: { code: RPC_ERRORS.invalidRequest, message: 'invalid request', data: { errors: fieldErrors(req.error) } },
      });
      return;
    }
    this.inFlight++;
    try {
      const { id, method } = req.data;
      const progress = id !== null && isPrivdMethod(method) && sendsProgress(method) ? progressSender(conn, id) : undefined;
      writeFrame(conn, await this.dispatch(id, method, req.data.params.actor, req.data.params.args, { progress, signal }));
    } finally {
      this.inFlight--;
    }
  }

  async dispatch(
    id: RpcResponse['id'],
    method: string,
    actor: z.infer<typeof privdActor>,
    args: unknown,
    opts: { progress?: ((line: string) => void) | undefined; signal?: AbortSignal } = {},
  ): Promise<RpcResponse> {
    const started = performance.now();
    const audit = (result: string, extra: Record<string, unknown> = {}) =>
      this.log.notice('privd call', {
        method,
        user: actor.user,
        ip: actor.ip,
        request: actor.requestId,
        result,
        ms: Math.round(performance.now() - started),
        ...extra,
      });
    const fail = (error: RpcError): RpcResponse => ({ jsonrpc: '2.0', id, error });

    if (!isPrivdMethod(method)) {
      audit('unknown-method');
      return fail({ code: RPC_ERRORS.methodNotFound, message: `method not found: ${method}` });
    }
    const spec = PRIVD_METHODS[method];
    const params = spec.params.safeParse(args ?? {});
    if (!params.success) {
      audit('bad-params');
      return fail({ code: RPC_ERRORS.invalidParams, message: 'invalid params', data: { code: 'validation', errors: fieldErrors(params.error) } });
    }
    try {
      const handler = this.handlers[method] as MethodHandler<PrivdMethod>;
      const result = await handler(params.data as never, {
        actor,
        log: this.log.child({ method }),
        env: this.env,
        progress: opts.progress ?? (() => {}),
        signal: opts.signal ?? new AbortController().signal,
      });
      const checked = spec.result.safeParse(result);
      if (!checked.success) {
        audit('bad-result');
        this.log.error('privd method returned a result outside its schema', { method, errors: fieldErrors(checked.error) });
        return fail({ code: RPC_ERRORS.internal, message: 'internal error' });
      }
      audit('ok');
      return { jsonrpc: '2.0', id, result: checked.data };
    } catch (err) {
      if (err instanceof ApiError) {
        audit('error', { code: err.code });
        return fail({ code: RPC_ERRORS.domain, message: err.message, data: { code: err.code, ...(err.errors ? { errors: err.errors } : {}) } });
      }
      audit('internal-error');
      this.log.error('privd method failed', { method, err });
      return fail({ code: RPC_ERRORS.internal, message: 'internal error' });
    }
  }
}

/**
 * Progress notifications for one call: each line cut to PROGRESS_LINE_MAX, at most
 * PROGRESS_LINES_MAX of them (then one line saying how many more were left out is sent
 * with the last), and nothing once the connection is gone.
 */
export function progressSender(conn: Duplex, call: number | string): (line: string) => void {
  let sent = 0;
  return (line) => {
    if (sent > PROGRESS_LINES_MAX) return;
    sent++;
    const text = sent > PROGRESS_LINES_MAX ? `(more than ${PROGRESS_LINES_MAX} lines; the rest is not shown)` : line.slice(0, PROGRESS_LINE_MAX);
    writeFrame(conn, { jsonrpc: '2.0', method: 'progress', params: { call, line: text } });
  };
}
