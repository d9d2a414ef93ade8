// Groups of remotes: each entry names a remote and which of that remote's credentials the
// group's members act with. A role on /groups/{id} reaches the group's remotes.
import { z } from 'zod';
import { comment, safeId } from '../../../shared/formats.ts';
import type { Collection, Entry, Store } from '../store/store.ts';
import { versionDigest } from '../store/store.ts';

export const GroupEntrySchema = z.strictObject({
  remote: safeId,
  /** Credential name on that remote; absent = the remote's default (first) credential. */
  credential: z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/).optional(),
});

export interface StoredGroup {
  id: string;
  comment?: string;
  entries: z.infer<typeof GroupEntrySchema>[];
}

export const GroupSchema = z.object({
  id: z.string(),
  comment: z.string().optional(),
  entries: z.array(z.object({ remote: z.string(), credential: z.string().optional() })),
  digest: z.string(),
});

export const groupEntries = z.array(GroupEntrySchema).max(1024).refine((l) => new Set(l.map((e) => e.remote)).size === l.length, 'a remote may appear once per group');
export const groupComment = comment;
export const groupId = safeId;

export function groupToWire(e: Entry<StoredGroup>): z.input<typeof GroupSchema> {
  return { id: e.value.id, ...(e.value.comment ? { comment: e.value.comment } : {}), entries: e.value.entries, digest: versionDigest(e.version) };
}

export class RemoteGroupRepo {
  readonly groups: Collection<StoredGroup>;
  private cache: { gen: number; byRemote: Map<string, { group: string; credential: string | null }[]> } | undefined;

  constructor(store: Store, private readonly generation: () => number) {
    this.groups = store.collection<StoredGroup>('groups');
  }

  /** remote id → the groups listing it, with the credential each uses. */
  byRemote(): Map<string, { group: string; credential: string | null }[]> {
    const gen = this.generation();
    if (!this.cache || this.cache.gen !== gen) {
      const m = new Map<string, { group: string; credential: string | null }[]>();
      for (const { value: g } of this.groups.list()) {
        for (const e of g.entries) {
          const list = m.get(e.remote) ?? [];
          list.push({ group: g.id, credential: e.credential ?? null });
          m.set(e.remote, list);
        }
      }
      this.cache = { gen, byRemote: m };
    }
    return this.cache.byRemote;
  }
}
