// What a caller may see, across remotes: a remote's resources when they hold a role on it
// (directly, or through a group — then only what that group's credential sees), and the
// resources of the saved views they were granted. Search, sort and paging on top.
import type { RemoteState, Resource } from '../../../shared/resources.ts';
import type { AppDeps } from '../deps.ts';
import type { AuthInfo, Privilege } from '../framework/types.ts';
import { ROLE_PRIVILEGE, privilegeAtLeast } from '../auth/acl-query.ts';
import type { TaskSummary } from '../remotes/snapshot-cache.ts';
import type { Predicate } from './matcher.ts';
import type { ResourceTable } from './table.ts';
import { compileOrThrow } from './views.ts';

export const SORT_FIELDS = ['name', 'id', 'type', 'status', 'remote', 'node', 'vmid', 'cpu', 'mem', 'disk', 'uptime', 'maxmem', 'maxdisk'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export interface VisibleRemote {
  remote: string;
  state: RemoteState;
  /** null: everything the remote's default credential sees. */
  allow: Predicate | null;
  table: ResourceTable;
}

/** The rows of a visible remote the caller may see. */
export function* visibleRows(v: VisibleRemote): Generator<number> {
  for (let i = 0; i < v.table.length; i++) if (!v.allow || v.allow(v.table, i)) yield i;
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
        allow = (t, i) => ids?.has(t.ids[i]!) === true;
      }
    } else if (granted.length) {
      allow = (t, i) => granted.some((p) => p(t, i));
    } else continue;
    const state = cache.state(remote) ?? { remote, type: e.value.type, status: e.value.enabled ? 'unknown' : 'disabled' };
    if (!e.value.enabled) state.status = 'disabled';
    out.push({ remote, state, allow, table: cache.table(remote) });
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
  const t = deps.remotes.cache.table(remote);
  const i = t.indexOf(id);
  return i >= 0 && views.some((p) => p(t, i));
}

/** The guests of a remote that the caller's views include (any role); null without a view. */
export function viewGuests(deps: AppDeps, auth: AuthInfo, remote: string): Set<string> | null {
  const views = viewPredicates(deps, auth, 'audit');
  if (views.length === 0) return null;
  const out = new Set<string>();
  const t = deps.remotes.cache.table(remote);
  for (let i = 0; i < t.length; i++) if (t.isGuest(i) && views.some((p) => p(t, i))) out.add(t.ids[i]!);
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

function sortValue(t: ResourceTable, i: number, f: SortField): string | number | undefined {
  switch (f) {
    case 'mem': return ratioOf(t.num('mem', i), t.num('maxmem', i));
    case 'disk': return ratioOf(t.num('disk', i), t.num('maxdisk', i));
    case 'id': return t.ids[i];
    case 'type': return t.type(i);
    case 'remote': return t.remote;
    case 'name': case 'status': case 'node': return t.str(f, i);
    default: return t.num(f, i);
  }
}

function ratioOf(used: number | undefined, max: number | undefined): number | undefined {
  return max ? (used ?? 0) / max : undefined;
}

export function listResources(deps: AppDeps, auth: AuthInfo, q: ListQuery): { total: number; resources: Resource[]; remotes: RemoteState[] } {
  const match = q.search ? compileOrThrow(q.search, viewResolver(deps, auth)) : null;
  // Hits as (table, row) pairs; only the page asked for is made into resources.
  const tables: ResourceTable[] = [];
  const rows: number[] = [];
  const remotes: RemoteState[] = [];
  for (const v of visibleRemotes(deps, auth)) {
    remotes.push(v.state);
    for (const i of visibleRows(v)) {
      if (match && !match(v.table, i)) continue;
      tables.push(v.table);
      rows.push(i);
    }
  }
  let order = rows.map((_, k) => k);
  if (q.sort) {
    const f = q.sort;
    const dir = q.order === 'desc' ? -1 : 1;
    const values = rows.map((i, k) => sortValue(tables[k]!, i, f));
    order = order.sort((a, b) => {
      const x = values[a];
      const y = values[b];
      if (x === y) return 0;
      if (x === undefined) return 1; // missing values last, either direction
      if (y === undefined) return -1;
      return (x < y ? -1 : 1) * dir;
    });
  }
  const page = order.slice(q.start, q.start + q.limit).map((k) => tables[k]!.resource(rows[k]!));
  return { total: rows.length, resources: page, remotes };
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
    const t = v.table;
    for (const i of visibleRows(v)) {
      const counts = byType[t.type(i)]!;
      bump(counts, 'total');
      bump(counts, t.template(i) ? 'template' : (t.str('status', i) ?? 'unknown'));
    }
    const dayAgo = now / 1000 - 86400;
    // Through a limited credential or a view, only the tasks of guests the caller sees.
    const seen = v.allow ? new Set(Array.from(visibleRows(v), (i) => t.ids[i]!)) : null;
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
  for (const v of visibleRemotes(deps, auth)) {
    const t = v.table;
    const push = (key: keyof typeof lists, i: number, value: number | undefined) => {
      if (value === undefined || !Number.isFinite(value)) return;
      const name = t.str('name', i);
      const node = t.str('node', i);
      lists[key].push({ remote: t.remote, id: t.ids[i]!, type: t.type(i), ...(name ? { name } : {}), ...(node ? { node } : {}), value });
    };
    for (const i of visibleRows(v)) {
      const type = t.type(i);
      const status = t.str('status', i);
      const mem = ratioOf(t.num('mem', i), t.num('maxmem', i));
      if (t.isGuest(i) && status === 'running') {
        push('guest-cpu', i, t.num('cpu', i));
        push('guest-mem', i, mem);
      } else if (type === 'node' && status === 'online') {
        push('node-cpu', i, t.num('cpu', i));
        push('node-mem', i, mem);
      } else if (type === 'storage' || type === 'datastore') {
        push('storage', i, ratioOf(t.num('disk', i), t.num('maxdisk', i)));
      }
    }
  }
  for (const k of Object.keys(lists) as (keyof typeof lists)[]) lists[k] = lists[k].sort((a, b) => b.value - a.value).slice(0, limit);
  return lists;
}
