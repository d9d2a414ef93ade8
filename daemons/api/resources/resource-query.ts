// What a caller may see, across remotes: a remote's resources when they hold a role on it
// (directly, or through a group — then only what that group's credential sees), and the
// resources of the saved views they were granted. Search, sort and paging on top.
import type { RemoteState, Resource } from '../../../shared/resources.ts';
import type { AppDeps } from '../deps.ts';
import type { AuthInfo, Privilege } from '../framework/types.ts';
import { ROLE_PRIVILEGE, privilegeAtLeast } from '../auth/acl-query.ts';
import type { TaskSummary } from '../remotes/snapshot-cache.ts';
import type { Indexed, Predicate } from './matcher.ts';
import { compileOrThrow } from './views.ts';

export const SORT_FIELDS = ['name', 'id', 'type', 'status', 'remote', 'node', 'vmid', 'cpu', 'mem', 'disk', 'uptime', 'maxmem', 'maxdisk'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export interface VisibleRemote {
  remote: string;
  state: RemoteState;
  /** null: everything the remote's default credential sees. */
  allow: Predicate | null;
  items: Indexed[];
}

/** Per remote: whether and how much the caller may see. */
export function visibleRemotes(deps: AppDeps, auth: AuthInfo): VisibleRemote[] {
  const { repo, cache, views } = deps.remotes;
  const granted = deps.acl.views(auth).map((v) => views.predicate(v.id)).filter((p): p is Predicate => p !== null);
  const out: VisibleRemote[] = [];
  for (const e of repo.list()) {
    const remote = e.key;
    const access = deps.acl.remoteAccess(auth, remote);
    let allow: Predicate | null;
    if (access) {
      const isDefault = access.credential === null || access.credential === e.value.credentials[0]?.name;
      if (isDefault) allow = null;
      else {
        const ids = cache.credentialIds(remote, access.credential!);
        allow = (x) => ids?.has(x.r.id) === true;
      }
    } else if (granted.length) {
      allow = (x) => granted.some((p) => p(x));
    } else continue;
    const state = cache.state(remote) ?? { remote, type: e.value.type, status: e.value.enabled ? 'unknown' : 'disabled' };
    if (!e.value.enabled) state.status = 'disabled';
    out.push({ remote, state, allow, items: cache.indexed(remote) });
  }
  return out;
}

/** The guest a PVE task acts on (`qmstart:100` → `qemu/100`, `vzstop:101` → `lxc/101`); null for others. */
export function taskGuest(taskId: string): string | null {
  const p = taskId.replace(/^[^!]*!(?=UPID:)/, '').split(':');
  if (p[0] !== 'UPID' || !/^\d+$/.test(p[6] ?? '')) return null;
  const kind = /^qm[a-z-]+$/.test(p[5] ?? '') ? 'qemu' : /^vz[a-z-]+$/.test(p[5] ?? '') ? 'lxc' : null;
  return kind && `${kind}/${p[6]}`;
}

/** The predicates of the saved views the caller holds at least `privilege` on. */
function viewPredicates(deps: AppDeps, auth: AuthInfo, privilege: Privilege): Predicate[] {
  return deps.acl.views(auth).filter((v) => privilegeAtLeast(ROLE_PRIVILEGE[v.role], privilege)).map((v) => deps.remotes.views.predicate(v.id)).filter((p): p is Predicate => p !== null);
}

/**
 * Whether the caller holds `privilege` on a saved view whose filter includes this resource
 * of the remote (as of the last refresh): a view grants per guest, never the whole remote.
 * `task/{upid}` stands for the guest the task acts on.
 */
export function viewAllows(deps: AppDeps, auth: AuthInfo, remote: string, resource: string, privilege: Privilege): boolean {
  const id = resource.startsWith('task/') ? taskGuest(resource.slice(5)) : resource;
  if (!id) return false;
  const views = viewPredicates(deps, auth, privilege);
  if (views.length === 0) return false;
  const item = deps.remotes.cache.indexed(remote).find((x) => x.r.id === id);
  return item !== undefined && views.some((p) => p(item));
}

/** The guests of a remote that the caller's views include (any role); null without a view. */
export function viewGuests(deps: AppDeps, auth: AuthInfo, remote: string): Set<string> | null {
  const views = viewPredicates(deps, auth, 'audit');
  if (views.length === 0) return null;
  const out = new Set<string>();
  for (const x of deps.remotes.cache.indexed(remote)) if ((x.r.type === 'qemu' || x.r.type === 'lxc') && views.some((p) => p(x))) out.add(x.r.id);
  return out;
}

/** A `view:` term is usable when the caller holds a role on that view. */
function viewResolver(deps: AppDeps, auth: AuthInfo) {
  return (id: string) => (deps.acl.role(auth, `/views/${id}`) !== null ? deps.remotes.views.predicate(id) : null);
}

export interface ListQuery {
  search?: string;
  sort?: SortField;
  order?: 'asc' | 'desc';
  start: number;
  limit: number;
}

function sortValue(r: Resource, f: SortField): string | number | undefined {
  if (f === 'mem') return r.maxmem ? (r.mem ?? 0) / r.maxmem : undefined;
  if (f === 'disk') return r.maxdisk ? (r.disk ?? 0) / r.maxdisk : undefined;
  return r[f] as string | number | undefined;
}

export function listResources(deps: AppDeps, auth: AuthInfo, q: ListQuery): { total: number; resources: Resource[]; remotes: RemoteState[] } {
  const match = q.search ? compileOrThrow(q.search, viewResolver(deps, auth)) : null;
  const hits: Resource[] = [];
  const remotes: RemoteState[] = [];
  for (const v of visibleRemotes(deps, auth)) {
    remotes.push(v.state);
    for (const x of v.items) {
      if (v.allow && !v.allow(x)) continue;
      if (match && !match(x)) continue;
      hits.push(x.r);
    }
  }
  if (q.sort) {
    const f = q.sort;
    const dir = q.order === 'desc' ? -1 : 1;
    hits.sort((a, b) => {
      const x = sortValue(a, f);
      const y = sortValue(b, f);
      if (x === y) return 0;
      if (x === undefined) return 1; // missing values last, either direction
      if (y === undefined) return -1;
      return (x < y ? -1 : 1) * dir;
    });
  }
  return { total: hits.length, resources: hits.slice(q.start, q.start + q.limit), remotes };
}

type Counts = Record<string, number>;

function bump(c: Counts, key: string): void {
  c[key] = (c[key] ?? 0) + 1;
}

export interface FailedTask extends TaskSummary {
  remote: string;
}

/** Dashboard counts: per type and status, remotes by health, and recent failed tasks. */
export function resourceStatus(deps: AppDeps, auth: AuthInfo, now: number) {
  const byType: Record<string, Counts> = { qemu: {}, lxc: {}, node: {}, storage: {}, datastore: {} };
  const health: Record<RemoteState['status'], number> = { ok: 0, degraded: 0, down: 0, unknown: 0, disabled: 0 };
  const failed: FailedTask[] = [];
  const visible = visibleRemotes(deps, auth);
  for (const v of visible) {
    health[v.state.status]++;
    for (const x of v.items) {
      if (v.allow && !v.allow(x)) continue;
      const counts = byType[x.r.type]!;
      bump(counts, 'total');
      bump(counts, x.r.template ? 'template' : (x.r.status ?? 'unknown'));
    }
    const dayAgo = now / 1000 - 86400;
    // Through a limited credential or a view, only the tasks of guests the caller sees.
    const seen = v.allow ? new Set(v.items.filter((x) => v.allow!(x)).map((x) => x.r.id)) : null;
    for (const t of deps.remotes.cache.snapshot(v.remote)?.tasks ?? []) {
      if (!t.status || t.status === 'OK' || /^WARNINGS/.test(t.status) || (t.endtime ?? 0) < dayAgo) continue;
      if (seen && !seen.has(taskGuest(t.upid) ?? '')) continue;
      failed.push({ remote: v.remote, ...t });
    }
  }
  failed.sort((a, b) => (b.endtime ?? 0) - (a.endtime ?? 0));
  return {
    remotes: { total: visible.length, ...health, list: visible.map((v) => v.state) },
    qemu: byType.qemu!,
    lxc: byType.lxc!,
    nodes: byType.node!,
    storages: byType.storage!,
    datastores: byType.datastore!,
    'failed-tasks': failed.slice(0, 20),
  };
}

export interface TopEntry {
  remote: string;
  id: string;
  type: string;
  name?: string;
  node?: string;
  /** The usage as a fraction (0–1). */
  value: number;
}

/** Outliers: the busiest guests and nodes by CPU and memory, the fullest storages. */
export function topEntities(deps: AppDeps, auth: AuthInfo, limit: number) {
  const lists: Record<'guest-cpu' | 'guest-mem' | 'node-cpu' | 'node-mem' | 'storage', TopEntry[]> = { 'guest-cpu': [], 'guest-mem': [], 'node-cpu': [], 'node-mem': [], storage: [] };
  const push = (key: keyof typeof lists, r: Resource, value: number | undefined) => {
    if (value === undefined || !Number.isFinite(value)) return;
    lists[key].push({ remote: r.remote, id: r.id, type: r.type, ...(r.name ? { name: r.name } : {}), ...(r.node ? { node: r.node } : {}), value });
  };
  for (const v of visibleRemotes(deps, auth)) {
    for (const x of v.items) {
      if (v.allow && !v.allow(x)) continue;
      const r = x.r;
      const mem = r.maxmem ? (r.mem ?? 0) / r.maxmem : undefined;
      if ((r.type === 'qemu' || r.type === 'lxc') && r.status === 'running') {
        push('guest-cpu', r, r.cpu);
        push('guest-mem', r, mem);
      } else if (r.type === 'node' && r.status === 'online') {
        push('node-cpu', r, r.cpu);
        push('node-mem', r, mem);
      } else if ((r.type === 'storage' || r.type === 'datastore') && r.maxdisk) {
        push('storage', r, (r.disk ?? 0) / r.maxdisk);
      }
    }
  }
  for (const k of Object.keys(lists) as (keyof typeof lists)[]) lists[k] = lists[k].sort((a, b) => b.value - a.value).slice(0, limit);
  return lists;
}
