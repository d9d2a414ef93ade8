// Access settings kept in the store (editable over the API and by steward-admin): the IP
// allowlist and whether every user must have a second factor.
import { z } from 'zod';
import type { Collection, Store } from '../store/store.ts';
import { CidrSet } from './network.ts';

export const AccessSettingsSchema = z.object({
  allowlist: z.array(z.string()),
  'tfa-required': z.boolean(),
  digest: z.string().optional(),
});

export interface AccessSettings {
  /** CIDRs allowed to reach the API; empty = everyone. */
  allowlist: string[];
  'tfa-required': boolean;
}

const DEFAULTS: AccessSettings = { allowlist: [], 'tfa-required': false };

export class SettingsRepo {
  readonly col: Collection<AccessSettings>;
  private cache: { version: number; allow: CidrSet } | undefined;

  constructor(store: Store) {
    this.col = store.collection<AccessSettings>('settings');
  }

  get(): { value: AccessSettings; version: number } {
    const e = this.col.get('access');
    return { value: { ...DEFAULTS, ...(e?.value ?? {}) }, version: e?.version ?? 0 };
  }

  async update(patch: Partial<AccessSettings>, expected?: number): Promise<void> {
    const cur = this.get();
    const next = { ...cur.value, ...patch };
    if (cur.version === 0) await this.col.create('access', next);
    else await this.col.update('access', next, expected);
  }

  /** Whether the address may reach the API (re-reads the stored list when it changed). */
  allowed(ip: string): boolean {
    const { value, version } = this.get();
    if (value.allowlist.length === 0) return true;
    if (!this.cache || this.cache.version !== version) this.cache = { version, allow: new CidrSet(value.allowlist) };
    return this.cache.allow.has(ip);
  }
}
