// API tokens `user@realm!name`: the secret is shown once and stored as a SHA-256 hash (it is
// 122 random bits, so a fast hash suffices and keeps per-request checks cheap). Last-use
// times are kept in memory and written in one batch a minute, not on every request.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Collection, Entry, Store } from '../store/store.ts';
import { versionDigest } from '../store/store.ts';
import type { Role } from './acl-query.ts';

export interface StoredToken {
  tokenid: string;
  userid: string;
  hash: string;
  comment?: string;
  enable: boolean;
  /** Epoch seconds; 0 = never. */
  expire: number;
  /** Privilege separation: the token's rights are its own ACL entries ∩ its user's. */
  privsep: boolean;
  /** Ceiling: the token never exceeds this role, whatever the ACL says. */
  role?: Role;
  created: number;
}

export const TokenSchema = z.object({
  tokenid: z.string(),
  comment: z.string().optional(),
  enable: z.boolean(),
  expire: z.number().int(),
  privsep: z.boolean(),
  role: z.enum(['Audit', 'Manage', 'Admin']).optional(),
  'last-used': z.number().int().optional(),
  digest: z.string(),
});

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

export class TokenRepo {
  readonly tokens: Collection<StoredToken>;
  private readonly usage: Collection<number>;
  private pending = new Map<string, number>();

  constructor(store: Store) {
    this.tokens = store.collection<StoredToken>('tokens');
    this.usage = store.collection<number>('token-usage');
  }

  static newSecret(): string {
    return randomUUID();
  }

  get(tokenid: string): Entry<StoredToken> | undefined {
    return this.tokens.get(tokenid);
  }

  listFor(userid: string): Entry<StoredToken>[] {
    return this.tokens.list(`${userid}!`);
  }

  /** The stored token if the secret matches (constant-time), else undefined. */
  check(tokenid: string, secret: string): StoredToken | undefined {
    const e = this.tokens.get(tokenid);
    if (!e) return undefined;
    const want = Buffer.from(e.value.hash, 'hex');
    const got = Buffer.from(hashSecret(secret), 'hex');
    return want.length === got.length && timingSafeEqual(want, got) ? e.value : undefined;
  }

  markUsed(tokenid: string, nowS: number): void {
    this.pending.set(tokenid, nowS);
  }

  lastUsed(tokenid: string): number | undefined {
    return this.pending.get(tokenid) ?? this.usage.get(tokenid)?.value;
  }

  /** Writes the batched last-use times; called by a timer and at shutdown. */
  async flushUsage(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    for (const [id, t] of batch) await this.usage.put(id, t);
  }

  async deleteUsage(tokenid: string): Promise<void> {
    this.pending.delete(tokenid);
    if (this.usage.get(tokenid)) await this.usage.delete(tokenid);
  }

  toWire(e: Entry<StoredToken>): z.input<typeof TokenSchema> {
    const t = e.value;
    const used = this.lastUsed(t.tokenid);
    return {
      tokenid: t.tokenid, enable: t.enable, expire: t.expire, privsep: t.privsep,
      ...(t.comment ? { comment: t.comment } : {}),
      ...(t.role ? { role: t.role } : {}),
      ...(used !== undefined ? { 'last-used': used } : {}),
      digest: versionDigest(e.version),
    };
  }
}
