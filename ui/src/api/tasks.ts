// Tasks: Steward wraps each remote's UPID as `remote!UPID:…`; status and log are followed
// through /pve/remotes/{remote}/tasks/{upid}/{status,log} (/pbs/… for a PBS task). Steward's
// own tasks on its host (apt-get update) are listed at /system/tasks and followed there.
import { api, path } from './client.ts';

export interface TaskStatus {
  upid: string;
  status: 'running' | 'stopped' | string;
  /** 'OK', or the error text, once stopped. */
  exitstatus?: string;
  type?: string;
  id?: string;
  node?: string;
  user?: string;
  starttime?: number;
}

export interface TaskLogLine { n: number; t: string }

/** An entry of GET /remotes/tasks: `status` is 'running', 'OK', 'WARNINGS: …' or the error. */
export interface TaskListEntry {
  /** Steward's task id, `remote!UPID:…`. */
  id: string;
  remote: string;
  upid: string;
  node?: string;
  type?: string;
  object?: string;
  user?: string;
  starttime?: number;
  endtime?: number;
  status: string;
  'started-by-steward'?: boolean;
  /** 'host': one of Steward's own tasks (`remote` is then empty), followed through /system/tasks. */
  source?: TaskSource;
}

/** Narrows a task list: by remote, node, object (a guest's vmid) and state. */
export interface TaskFilter {
  remote?: string;
  node?: string;
  object?: string;
  status?: 'running' | 'ok' | 'error';
}

/** Splits `remote!UPID:…` into the remote and the remote's own UPID. */
export function splitUpid(upid: string): { remote: string; upid: string } | undefined {
  const i = upid.indexOf('!');
  if (i <= 0 || !upid.slice(i + 1).startsWith('UPID:')) return undefined;
  return { remote: upid.slice(0, i), upid: upid.slice(i + 1) };
}

/**
 * PVE: UPID:node:pid:pstart:starttime:type:id:user:   PBS has one more field (a task counter
 * before the start time), so the product shows in the UPID itself.
 */
function upidParts(upid: string): { product: 'pve' | 'pbs'; p: string[] } | undefined {
  const raw = splitUpid(upid)?.upid ?? upid;
  const p = raw.split(':');
  if (p[0] !== 'UPID' || (p.length !== 9 && p.length !== 10)) return undefined;
  return p.length === 10 ? { product: 'pbs', p: [...p.slice(0, 4), ...p.slice(5)] } : { product: 'pve', p };
}

/** The parts an admin reads: node, worker type, its object, the user. */
export function describeUpid(upid: string): { node?: string; type?: string; id?: string; user?: string } {
  const u = upidParts(upid);
  if (!u) return {};
  return { node: u.p[1], type: u.p[5], id: u.p[6], user: u.p[7] };
}

/** Which product's routes follow a remote task: /pve/… or /pbs/…. */
export function upidProduct(upid: string): 'pve' | 'pbs' {
  return upidParts(upid)?.product ?? 'pve';
}

const okExit = (s: string) => s === 'OK' || s.startsWith('WARNINGS');

/** A task's status (status/exitstatus) has ended in an error. */
export const taskFailed = (t: Pick<TaskStatus, 'status' | 'exitstatus'>) => t.status === 'stopped' && !!t.exitstatus && !okExit(t.exitstatus);

/** A task list entry ('running' | 'OK' | error text) has ended in an error. */
export const listedTaskFailed = (t: Pick<TaskListEntry, 'status'>) => t.status !== 'running' && !okExit(t.status);

/** Where a task's status and log are read: a remote's task, or one Steward ran on its own host (`steward!UPID:…`, /system/tasks). */
export type TaskSource = 'remote' | 'host';

export function taskStatus(upid: string, source: TaskSource = 'remote'): Promise<TaskStatus> {
  if (source === 'host') return api.get<TaskStatus>(path`/system/tasks/${upid}/status`);
  const s = splitUpid(upid);
  if (!s) return Promise.reject(new Error(`not a Steward task id: ${upid}`));
  return api.get<TaskStatus>(path`/${upidProduct(upid)}/remotes/${s.remote}/tasks/${upid}/status`);
}

export function taskLog(upid: string, start: number, source: TaskSource = 'remote'): Promise<TaskLogLine[]> {
  if (source === 'host') return api.get<TaskLogLine[]>(path`/system/tasks/${upid}/log`, { start, limit: 500 });
  const s = splitUpid(upid);
  if (!s) return Promise.reject(new Error(`not a Steward task id: ${upid}`));
  return api.get<TaskLogLine[]>(path`/${upidProduct(upid)}/remotes/${s.remote}/tasks/${upid}/log`, { start, limit: 500 });
}

/** Two task lists, newest first, as one: the first `limit` and the total of both. */
export function mergeTasks(a: { total: number; tasks: TaskListEntry[] }, b: { total: number; tasks: TaskListEntry[] }, limit: number): { total: number; tasks: TaskListEntry[] } {
  const tasks = [...a.tasks, ...b.tasks].sort((x, y) => (y.starttime ?? 0) - (x.starttime ?? 0)).slice(0, limit);
  return { total: a.total + b.total, tasks };
}

/**
 * Tasks across the remotes (GET /remotes/tasks) and, with `withHost`, this host's own
 * (GET /system/tasks — Admin on /system, so only for those who hold it). A filter that names
 * a remote, node or object is about remotes: host tasks are left out then. If the host list
 * cannot be read, the remotes' list is shown alone.
 */
export async function listTasks(filter: TaskFilter, limit: number, withHost: boolean): Promise<{ total: number; tasks: TaskListEntry[] }> {
  const host = withHost && !filter.remote && !filter.node && !filter.object
    ? api.get<{ total: number; tasks: TaskListEntry[] }>('/system/tasks', { ...(filter.status ? { status: filter.status } : {}), limit })
      .then((r) => ({ total: r.total, tasks: r.tasks.map((t): TaskListEntry => ({ ...t, remote: '', source: 'host' })) }), () => ({ total: 0, tasks: [] }))
    : Promise.resolve({ total: 0, tasks: [] });
  const [remote, own] = await Promise.all([api.get<{ total: number; tasks: TaskListEntry[] }>('/remotes/tasks', { ...filter, limit }), host]);
  return mergeTasks(remote, own, limit);
}

export async function recentTasks(limit = 50, withHost = false): Promise<TaskListEntry[]> {
  return (await listTasks({}, limit, withHost)).tasks;
}

/** Where a listed task is: its remote, or this host. */
export function taskPlace(t: Pick<TaskListEntry, 'remote' | 'node' | 'source'>): string {
  return t.source === 'host' ? `this host (${t.node ?? ''})` : `${t.remote} / ${t.node ?? ''}`;
}
