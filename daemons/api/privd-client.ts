// steward-api's client for steward-privd: one multiplexed connection, per-call timeouts,
// one reconnect attempt, and every failure mapped to a catalogue error for the caller.
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { ApiError, isErrorCode } from '../../shared/errors.ts';
import { PRIVD_METHODS, RPC_ERRORS, privdProgress } from '../../shared/privd-methods.ts';
import type { PrivdActor, PrivdMethod, PrivdParams, PrivdResult } from '../../shared/privd-methods.ts';
import { readFrames, writeFrame } from '../common/jsonrpc.ts';
import type { RpcResponse } from '../common/jsonrpc.ts';
import type { Logger } from '../common/log.ts';

type Connect = () => Duplex;

interface Pending {
  onProgress: ((line: string) => void) | undefined;
  resolve: (r: RpcResponse) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class PrivdClient {
  private conn: Duplex | undefined;
  private connecting: Promise<Duplex> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly connect: Connect,
    private readonly log: Logger,
    private readonly timeoutMs = 30_000,
  ) {}

  static forSocket(path: string, log: Logger, timeoutMs?: number): PrivdClient {
    return new PrivdClient(() => net.connect(path), log, timeoutMs);
  }

  /** `onProgress` receives the progress lines of methods that send them, while the call runs. */
  async call<M extends PrivdMethod>(
    method: M,
    params: PrivdParams<M>,
    actor: PrivdActor,
    timeoutMs = this.timeoutMs,
    onProgress?: (line: string) => void,
  ): Promise<PrivdResult<M>> {
    const spec = PRIVD_METHODS[method];
    const args = spec.params.parse(params); // our own bug if this throws: answered as internal
    let response: RpcResponse;
    try {
      // One reconnect: privd may have restarted since the last call. A call that was
      // already sent is never repeated (methods such as cert.install are not idempotent).
      const conn = await this.ensure().catch(() => {
        this.drop();
        return this.ensure();
      });
      response = await this.send(conn, method, { actor, args }, timeoutMs, onProgress);
    } catch (err) {
      if (err instanceof ApiError) throw err;
      this.log.warn('privd unavailable', { method, err });
      throw new ApiError('unavailable', 'the privileged daemon (steward-privd) is not available');
    }
    if ('error' in response) {
      const code = response.error.data?.code;
      if (response.error.code === RPC_ERRORS.domain && isErrorCode(code)) {
        throw new ApiError(code, response.error.message, response.error.data?.errors ? { errors: response.error.data.errors } : {});
      }
      this.log.error('privd call failed', { method, rpcCode: response.error.code, rpcMessage: response.error.message });
      throw new ApiError('internal', 'the privileged daemon could not complete the request');
    }
    const result = spec.result.safeParse(response.result);
    if (!result.success) {
      this.log.error('privd result does not match its schema', { method });
      throw new ApiError('internal', 'the privileged daemon answered unexpectedly');
    }
    return result.data as PrivdResult<M>;
  }

  close(): void {
    this.drop();
  }

  private send(conn: Duplex, method: string, params: unknown, timeoutMs: number, onProgress?: (line: string) => void): Promise<RpcResponse> {
    const id = this.nextId++;
    return new Promise<RpcResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ApiError('timeout', `the privileged daemon did not answer ${method} in time`));
      }, timeoutMs);
      this.pending.set(id, { onProgress, resolve, reject, timer });
      writeFrame(conn, { jsonrpc: '2.0', id, method, params });
    });
  }

  private ensure(): Promise<Duplex> {
    if (this.conn) return Promise.resolve(this.conn);
    this.connecting ??= new Promise<Duplex>((resolve, reject) => {
      const conn = this.connect();
      const fail = (err: Error) => {
        this.connecting = undefined;
        reject(err);
      };
      conn.once('error', fail);
      const ready = () => {
        conn.off('error', fail);
        conn.on('error', (err) => this.failAll(err));
        conn.on('close', () => this.failAll(new Error('privd connection closed')));
        readFrames(conn, (line) => this.onFrame(line), () => this.failAll(new Error('oversized frame from privd')));
        this.conn = conn;
        this.connecting = undefined;
        resolve(conn);
      };
      if (conn instanceof net.Socket && conn.connecting) conn.once('connect', ready);
      else ready();
    });
    return this.connecting;
  }

  private onFrame(line: string): void {
    let msg: RpcResponse;
    try {
      msg = JSON.parse(line) as RpcResponse;
    } catch {
      this.failAll(new Error('malformed frame from privd'));
      return;
    }
    if ((msg as { method?: unknown }).method === 'progress' && !('id' in msg)) {
      this.onProgress((msg as { params?: unknown }).params);
      return;
    }
    if (typeof msg.id !== 'number') {
      this.log.warn('privd sent an unsolicited frame', { line: line.slice(0, 200) });
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(msg.id);
    p.resolve(msg);
  }

  /** A progress line goes to the call it belongs to; a malformed one is dropped, never fatal. */
  private onProgress(params: unknown): void {
    const p = privdProgress.safeParse(params);
    if (!p.success || typeof p.data.call !== 'number') {
      this.log.warn('privd sent a malformed progress frame');
      return;
    }
    const pending = this.pending.get(p.data.call);
    try {
      pending?.onProgress?.(p.data.line);
    } catch (err) {
      this.log.error('progress handler failed', { err });
    }
  }

  private failAll(err: Error): void {
    this.drop();
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(err);
    }
  }

  private drop(): void {
    const conn = this.conn;
    this.conn = undefined;
    this.connecting = undefined;
    conn?.destroy();
  }
}
