// The audit log: append-only and hash-chained in LMDB. Each entry carries the hash of the
// previous one and its own hash over its content, so a modified, removed or reordered entry
// breaks the chain where it happened. Pruning (retention) keeps an anchor — the sequence
// number and hash of the last removed entry — so the remaining chain still verifies. The
// head (last sequence and hash) is kept too, so cutting entries off the end is caught.
// Appends run in an LMDB write transaction, which serialises the API and steward-admin.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Database } from 'lmdb';
import type { Collection, Store } from '../store/store.ts';

export interface AuditInput {
  action: string;
  result: 'ok' | 'error' | 'denied';
  user?: string;
  tokenid?: string;
  ip?: string;
  'user-agent'?: string;
  target?: string;
  error?: string;
  code?: string;
  /** Why (login failures, lockouts): never a secret. */
  reason?: string;
  request?: string;
}

export interface AuditRecord extends AuditInput {
  seq: number;
  /** Epoch milliseconds. */
  time: number;
  prev: string;
  hash: string;
}

export const AuditRecordSchema = z.object({
  seq: z.number().int(),
  time: z.number().int(),
  action: z.string(),
  result: z.enum(['ok', 'error', 'denied']),
  user: z.string().optional(),
  tokenid: z.string().optional(),
  ip: z.string().optional(),
  'user-agent': z.string().optional(),
  target: z.string().optional(),
  error: z.string().optional(),
  code: z.string().optional(),
  reason: z.string().optional(),
  request: z.string().optional(),
  prev: z.string(),
  hash: z.string(),
});

interface ChainPoint { seq: number; hash: string }
const GENESIS: ChainPoint = { seq: 0, hash: '0'.repeat(64) };

const key = (seq: number) => seq.toString().padStart(16, '0');

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function entryHash(e: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256').update(canonical(e)).digest('hex');
}

export interface AuditFilter {
  since?: number;
  until?: number;
  user?: string;
  action?: string;
  result?: string;
  start?: number;
  limit?: number;
}

export type VerifyResult = { ok: true; entries: number; anchor: number } | { ok: false; entries: number; seq: number; problem: string };

export class AuditLog {
  private readonly col: Collection<AuditRecord>;
  private readonly meta: Collection<ChainPoint>;
  private readonly db: Database<AuditRecord, string>;

  constructor(store: Store, private readonly now: () => number = Date.now) {
    this.col = store.collection<AuditRecord>('audit');
    this.meta = store.collection<ChainPoint>('meta');
    this.db = this.col.db;
  }

  private point(name: 'audit-anchor' | 'audit-head'): ChainPoint | undefined {
    return this.meta.get(name)?.value;
  }

  append(input: AuditInput): AuditRecord {
    const clean = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v !== '')) as unknown as AuditInput;
    return this.db.transactionSync(() => {
      const head = this.point('audit-head') ?? this.point('audit-anchor') ?? GENESIS;
      const body = { ...clean, seq: head.seq + 1, time: this.now(), prev: head.hash };
      const record: AuditRecord = { ...body, hash: entryHash(body) };
      void this.db.put(key(record.seq), record, 1);
      void this.meta.db.put('audit-head', { seq: record.seq, hash: record.hash }, 1);
      return record;
    });
  }

  /** Newest first, filtered; `start` skips matches for paging. */
  list(f: AuditFilter = {}): AuditRecord[] {
    const out: AuditRecord[] = [];
    let skip = f.start ?? 0;
    const limit = f.limit ?? 50;
    for (const { value: e } of this.db.getRange({ reverse: true })) {
      if (f.until !== undefined && e.time > f.until) continue;
      if (f.since !== undefined && e.time < f.since) break;
      if (f.user && e.user !== f.user && e.tokenid !== f.user) continue;
      if (f.action && !(e.action === f.action || e.action.startsWith(`${f.action}.`))) continue;
      if (f.result && e.result !== f.result) continue;
      if (skip > 0) {
        skip--;
        continue;
      }
      out.push(e);
      if (out.length >= limit) break;
    }
    return out;
  }

  count(): number {
    return this.db.getCount();
  }

  /** Walks the chain from the anchor; reports the first problem and where. */
  verify(): VerifyResult {
    const anchor = this.point('audit-anchor') ?? GENESIS;
    let expected = { seq: anchor.seq + 1, prev: anchor.hash };
    let n = 0;
    for (const { key: k, value: e } of this.db.getRange({})) {
      n++;
      const seq = typeof e?.seq === 'number' ? e.seq : -1;
      if (k !== key(seq)) return { ok: false, entries: n, seq, problem: `entry stored under ${k} claims sequence ${seq}: moved or reordered` };
      if (seq > expected.seq) return { ok: false, entries: n, seq: expected.seq, problem: `entries ${expected.seq}…${seq - 1} are missing (removed)` };
      if (seq < expected.seq) return { ok: false, entries: n, seq, problem: `entry ${seq} is out of order` };
      const { hash, ...body } = e;
      if (e.prev !== expected.prev) return { ok: false, entries: n, seq, problem: `entry ${seq} does not follow entry ${seq - 1} (chain broken: an entry before it was removed, replaced or reordered)` };
      if (entryHash(body) !== hash) return { ok: false, entries: n, seq, problem: `entry ${seq} was modified (its content does not match its hash)` };
      expected = { seq: seq + 1, prev: hash };
    }
    const head = this.point('audit-head');
    if (head && (head.seq !== expected.seq - 1 || head.hash !== expected.prev)) {
      return { ok: false, entries: n, seq: head.seq, problem: `the log ends at entry ${expected.seq - 1} but the head records entry ${head.seq}: entries were removed from the end` };
    }
    return { ok: true, entries: n, anchor: anchor.seq };
  }

  /**
   * Retention: removes the oldest entries beyond `maxEntries` or older than `maxAgeMs`,
   * moving the anchor to the last removed entry. Returns how many were removed.
   */
  prune(maxEntries: number, maxAgeMs: number): number {
    const cutoff = this.now() - maxAgeMs;
    return this.db.transactionSync(() => {
      let excess = this.db.getCount() - maxEntries;
      let removed = 0;
      let last: AuditRecord | undefined;
      for (const { key: k, value: e } of this.db.getRange({})) {
        if (excess <= 0 && e.time >= cutoff) break;
        void this.db.remove(k);
        last = e;
        excess--;
        removed++;
      }
      if (last) void this.meta.db.put('audit-anchor', { seq: last.seq, hash: last.hash }, 1);
      return removed;
    });
  }
}
