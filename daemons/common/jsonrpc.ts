// JSON-RPC 2.0 framing over a byte stream: one JSON object per line, each line bounded.
// Used by steward-privd's server and steward-api's client.
import type { Duplex } from 'node:stream';
import { PRIVD_MAX_FRAME } from '../../shared/privd-methods.ts';

export interface RpcRequest {
  jsonrpc: '2.0';
  id: number | string | null;
  method: string;
  params?: unknown;
}

export interface RpcError {
  code: number;
  message: string;
  data?: { code?: string; errors?: Record<string, string> };
}

/** A message without an id: privd's progress lines of a running call (shared/privd-methods.ts). */
export interface RpcNotification {
  jsonrpc: '2.0';
  method: string;
  params: unknown;
}

export type RpcResponse =
  | { jsonrpc: '2.0'; id: number | string | null; result: unknown }
  | { jsonrpc: '2.0'; id: number | string | null; error: RpcError };

/**
 * Calls onFrame for each complete line. A line longer than maxFrame calls onOversize once
 * and the rest of that line is discarded, so one bad frame cannot exhaust memory.
 */
export function readFrames(
  stream: Duplex,
  onFrame: (line: string) => void,
  onOversize: () => void,
  maxFrame = PRIVD_MAX_FRAME,
): void {
  let chunks: Buffer[] = [];
  let size = 0;
  let discarding = false;
  stream.on('data', (data: Buffer) => {
    let start = 0;
    for (;;) {
      const nl = data.indexOf(10, start);
      const end = nl === -1 ? data.length : nl;
      if (!discarding) {
        size += end - start;
        if (size > maxFrame) {
          discarding = true;
          chunks = [];
          onOversize();
        } else {
          chunks.push(data.subarray(start, end));
        }
      }
      if (nl === -1) break;
      if (!discarding) {
        const line = Buffer.concat(chunks).toString('utf8');
        if (line.trim() !== '') onFrame(line);
      }
      chunks = [];
      size = 0;
      discarding = false;
      start = nl + 1;
    }
  });
}

export function writeFrame(stream: Duplex, message: RpcRequest | RpcResponse | RpcNotification): void {
  if (!stream.writable) return;
  stream.write(JSON.stringify(message) + '\n');
}
