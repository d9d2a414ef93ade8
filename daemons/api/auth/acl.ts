// ACL entries and their evaluation. An entry grants a role on a path to a user, an API
// token or a group of users, optionally propagating to the paths below. Evaluation walks
// from the requested path up to `/`; the first (most specific) level with an applicable
// entry decides. At that level a user's (or token's) own entries replace its groups'
// entries (as in Proxmox VE), and an explicit NoAccess among them wins over any role.
import { z } from 'zod';
import type { Collection, Store } from '../store/store.ts';
import type { Role } from './acl-query.ts';

export const ROLES = ['NoAccess', 'Audit', 'Manage', 'Admin'] as const;
export type AclRole = (typeof ROLES)[number];
const RANK: Record<Role, number> = { Audit: 1, Manage: 2, Admin: 3 };

export function maxRole(a: Role | null, b: Role | null): Role | null {
  if (!a) return b;
  if (!b) return a;
  return RANK[a] >= RANK[b] ? a : b;
}
export function minRole(a: Role | null, b: Role | null): Role | null {
  if (!a || !b) return null;
  return RANK[a] <= RANK[b] ? a : b;
}

const segment = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** `/`, `/system`, `/access`, `/remotes[/{id}[/…]]`, `/groups[/{id}]`, `/views[/{id}]`. */
export const aclPath = z
  .string()
  .min(1)
  .max(256)
  .refine((p) => {
    if (p === '/') return true;
    const parts = p.split('/');
    if (parts[0] !== '' || parts.length > 9 || !parts.slice(1).every((s) => segment.test(s))) return false;
    const [top, ...rest] = parts.slice(1);
    if (top === 'system' || top === 'access') return rest.length === 0;
    if (top === 'groups' || top === 'views') return rest.length <= 1;
    return top === 'remotes';
  }, 'must be /, /system, /access, /remotes[/{id}[/…]], /groups[/{id}] or /views[/{id}]');

export type SubjectType = 'user' | 'token' | 'group';

export const AclEntrySchema = z.object({
  path: z.string().max(256),
  type: z.enum(['user', 'token', 'group']),
  ugid: z.string().max(97),
  roleid: z.enum(ROLES),
  propagate: z.boolean(),
});
export type AclEntry = z.infer<typeof AclEntrySchema>;

/** Who is being evaluated: a user with its groups, or a token alone. */
export interface Subject {
  type: 'user' | 'token';
  id: string;
  groups: readonly string[];
}

export interface Evaluation {
  role: Role | null;
  /** An explicit NoAccess decided: nothing (not even a group of remotes) may grant more. */
  noAccess: boolean;
}

function parentPaths(path: string): string[] {
  const out = [path];
  let p = path;
  while (p !== '/') {
    p = p.slice(0, p.lastIndexOf('/')) || '/';
    out.push(p);
  }
  return out;
}

/** The rules, on a snapshot of entries indexed by path. Pure: the table-driven tests use it directly. */
export function evaluate(byPath: ReadonlyMap<string, readonly AclEntry[]>, subject: Subject, path: string): Evaluation {
  for (const p of parentPaths(path)) {
    const here = (byPath.get(p) ?? []).filter((e) => p === path || e.propagate);
    if (here.length === 0) continue;
    const own = here.filter((e) => e.type === subject.type && e.ugid === subject.id);
    const decisive = own.length > 0 ? own : here.filter((e) => e.type === 'group' && subject.groups.includes(e.ugid));
    if (decisive.length === 0) continue;
    if (decisive.some((e) => e.roleid === 'NoAccess')) return { role: null, noAccess: true };
    return { role: decisive.map((e) => e.roleid as Role).reduce<Role | null>(maxRole, null), noAccess: false };
  }
  return { role: null, noAccess: false };
}

export function indexByPath(entries: Iterable<AclEntry>): Map<string, AclEntry[]> {
  const m = new Map<string, AclEntry[]>();
  for (const e of entries) {
    const list = m.get(e.path) ?? [];
    list.push(e);
    m.set(e.path, list);
  }
  return m;
}

const aclKey = (path: string, type: SubjectType, ugid: string) => `${path}\n${type}\n${ugid}`;

/**
 * The stored entries. Writes bump a generation counter in `meta`, so every process (the
 * API, steward-admin) sees a change on its next evaluation without a restart.
 */
export class AclRepo {
  private readonly acl: Collection<AclEntry>;
  private readonly meta: Collection<number>;
  private cache: { gen: number; byPath: Map<string, AclEntry[]> } | undefined;

  constructor(store: Store) {
    this.acl = store.collection<AclEntry>('acl');
    this.meta = store.collection<number>('meta');
  }

  generation(): number {
    return this.meta.get('access-generation')?.value ?? 0;
  }

  async bumpGeneration(): Promise<void> {
    await this.meta.put('access-generation', this.generation() + 1);
  }

  list(): AclEntry[] {
    return this.acl.list().map((e) => e.value);
  }

  byPath(): Map<string, AclEntry[]> {
    const gen = this.generation();
    if (!this.cache || this.cache.gen !== gen) this.cache = { gen, byPath: indexByPath(this.list()) };
    return this.cache.byPath;
  }

  async set(entry: AclEntry): Promise<void> {
    await this.acl.put(aclKey(entry.path, entry.type, entry.ugid), entry);
    await this.bumpGeneration();
  }

  /** Removes the subject's entry on the path; false when there was none. */
  async remove(path: string, type: SubjectType, ugid: string): Promise<boolean> {
    const key = aclKey(path, type, ugid);
    if (!this.acl.get(key)) return false;
    await this.acl.delete(key);
    await this.bumpGeneration();
    return true;
  }

  /** Drops every entry of a subject (a deleted user or token). */
  async removeSubject(type: SubjectType, ugid: string): Promise<void> {
    const gone = this.list().filter((e) => e.type === type && e.ugid === ugid);
    for (const e of gone) await this.acl.delete(aclKey(e.path, e.type, e.ugid));
    if (gone.length) await this.bumpGeneration();
  }
}
