// Token buckets per key (client address, user, token), on an injectable clock, and a
// failed-login tracker that blocks an address for a while after repeated failures.
// In memory: limits protect this process; a restart forgets them, which is acceptable
// for throttling (lockouts that must persist — TFA — are stored).

export interface Limit {
  /** Requests allowed per window (also the burst size); 0 = no limit. */
  count: number;
  windowMs: number;
}

interface Bucket { tokens: number; at: number }

const MAX_KEYS = 100_000;

export class RateLimiter {
  private buckets = new Map<string, Bucket>();
  constructor(private readonly now: () => number) {}

  /** Takes one request from the key's bucket: 0 when allowed, else the seconds to wait. */
  take(key: string, limit: Limit): number {
    if (limit.count <= 0) return 0;
    const now = this.now();
    const rate = limit.count / limit.windowMs;
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= MAX_KEYS) this.sweep(now, rate, limit.count);
      b = { tokens: limit.count, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(limit.count, b.tokens + (now - b.at) * rate);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000));
  }

  /** Drops buckets that have refilled completely (they carry no information). */
  private sweep(now: number, rate: number, count: number): void {
    for (const [k, b] of this.buckets) if (b.tokens + (now - b.at) * rate >= count) this.buckets.delete(k);
    if (this.buckets.size >= MAX_KEYS) this.buckets.clear();
  }
}

export interface BlockPolicy { failures: number; windowMs: number; blockMs: number }

/** Counts failed logins per key; after `failures` within `windowMs`, blocks for `blockMs`. */
export class FailureBlocker {
  private state = new Map<string, { times: number[]; until: number }>();
  constructor(private readonly now: () => number, private readonly policy: () => BlockPolicy) {}

  /** Seconds the key stays blocked, 0 if not blocked. */
  blockedFor(key: string): number {
    const s = this.state.get(key);
    const now = this.now();
    return s && s.until > now ? Math.ceil((s.until - now) / 1000) : 0;
  }

  fail(key: string): void {
    const p = this.policy();
    if (p.failures <= 0) return;
    const now = this.now();
    if (this.state.size >= MAX_KEYS) this.state.clear();
    const s = this.state.get(key) ?? { times: [], until: 0 };
    s.times = s.times.filter((t) => t > now - p.windowMs);
    s.times.push(now);
    if (s.times.length >= p.failures) {
      s.until = now + p.blockMs;
      s.times = [];
    }
    this.state.set(key, s);
  }

  clear(key: string): void {
    this.state.delete(key);
  }
}
