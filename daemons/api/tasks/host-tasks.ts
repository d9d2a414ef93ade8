// Tasks Steward runs on its own host (today: `apt-get update` through steward-privd). Each
// gets a UPID like Proxmox's, prefixed `steward!` the way remote tasks carry their remote's
// name: `steward!UPID:<host>:<pid>:<pstart>:<starttime>:<type>::<user>:`. The record and the
// log lines privd streams while the program runs live in LMDB (`host-tasks`), bounded in
// lines per task and in tasks kept. The API's own process is what waits for privd, so a task
// still marked running when the API starts (or stops) can never end: it is marked
// interrupted instead of running forever. Ends are audited as `task.finished`.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { ApiError } from '../../../shared/errors.ts';
import type { Logger } from '../../common/log.ts';
import type { AuthInfo } from '../framework/types.ts';
import type { AccessHooks } from '../framework/types.ts';
import type { AppDeps } from '../deps.ts';
import type { Collection, Store } from '../store/store.ts';

export interface HostTaskRecord {
  /** `steward!UPID:…` */
  id: string;
  upid: string;
  node: string;
  type: string;
  /** Who started it (user or token id). */
  user: string;
  starttime: number;
  endtime?: number;
  /** 'running', then 'OK' or the error. */
  status: string;
  /** Log lines written so far. */
  lines: number;
}

export const HOST_TASK_PREFIX = 'steward!';
/** Log lines kept per task; later ones are counted, not stored. */
export const TASK_LOG_MAX_LINES = 5000;
const LINE_MAX = 1024;
/** Finished tasks kept (with their logs); older ones are removed when a new one starts. */
export const TASKS_KEPT = 100;
export const INTERRUPTED = 'interrupted: steward-api stopped while the task was running';

const taskKey = (id: string) => `task:${id}`;
const logPrefix = (id: string) => `log:${id}:`;
const logKey = (id: string, n: number) => `${logPrefix(id)}${String(n).padStart(6, '0')}`;
const hex8 = (n: number) => (n >>> 0).toString(16).toUpperCase().padStart(8, '0');

/** The host name as a UPID's node part (letters, digits, dot, dash; at most 63). */
function nodeName(): string {
  const h = os.hostname().split('.')[0]!.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 63);
  return /^[A-Za-z0-9]/.test(h) ? h : 'steward';
}

export interface TaskRun {
  /** Adds one line to the task's log. */
  log(line: string): void;
}

export class HostTasks {
  private readonly db: Collection<HostTaskRecord | string>;
  /** Running tasks of this process: their record and pending writes. */
  private readonly running = new Map<string, { rec: HostTaskRecord; done: Promise<void> }>();

  constructor(
    store: Store,
    private readonly access: () => AccessHooks,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.db = store.collection<HostTaskRecord | string>('host-tasks');
  }

  get(id: string): HostTaskRecord | undefined {
    return this.running.get(id)?.rec ?? (this.db.get(taskKey(id))?.value as HostTaskRecord | undefined);
  }

  /** Every kept task, newest first. */
  list(): HostTaskRecord[] {
    return this.db
      .list('task:')
      .map((e) => this.running.get((e.value as HostTaskRecord).id)?.rec ?? (e.value as HostTaskRecord))
      .sort((a, b) => b.starttime - a.starttime || (b.id < a.id ? -1 : 1));
  }

  /** Log lines from `start` (0-based), at most `limit`: `{n, t}` as Proxmox pages them. */
  logLines(id: string, start: number, limit: number): { n: number; t: string }[] {
    if (!this.get(id)) throw new ApiError('not_found', `no task ${id}`);
    const out: { n: number; t: string }[] = [];
    for (const { key, value } of this.db.db.getRange({ start: logKey(id, start), end: `${logPrefix(id)}~` })) {
      out.push({ n: Number(key.slice(logPrefix(id).length)), t: value as string });
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * Starts a task of `type` (one of each type at a time: `task_running` otherwise) and runs
   * `work` in the background; it ends 'OK' when `work` resolves, with the error's message
   * when it throws. Returns the record at once.
   */
  async start(type: string, auth: AuthInfo, work: (run: TaskRun) => Promise<void>): Promise<HostTaskRecord> {
    const busy = [...this.running.values()].find((r) => r.rec.type === type && r.rec.status === 'running');
    if (busy) throw new ApiError('task_running', `a ${type} task is already running: ${busy.rec.id}`);
    const user = auth.tokenid ?? auth.userid;
    const starttime = Math.floor(this.now() / 1000);
    const node = nodeName();
    const upid = `UPID:${node}:${hex8(process.pid)}:${randomBytes(4).toString('hex').toUpperCase()}:${hex8(starttime)}:${type}::${user}:`;
    const rec: HostTaskRecord = { id: `${HOST_TASK_PREFIX}${upid}`, upid, node, type, user, starttime, status: 'running', lines: 0 };
    // Claimed before the first await, so a second start in the meantime sees it.
    const slot = { rec, done: Promise.resolve() };
    this.running.set(rec.id, slot);
    try {
      await this.prune();
      await this.db.put(taskKey(rec.id), rec);
    } catch (err) {
      this.running.delete(rec.id);
      throw err;
    }
    const run: TaskRun = {
      log: (line) => {
        const n = rec.lines++;
        if (n < TASK_LOG_MAX_LINES) void this.db.put(logKey(rec.id, n), line.slice(0, LINE_MAX));
        else if (n === TASK_LOG_MAX_LINES) void this.db.put(logKey(rec.id, n), `(more than ${TASK_LOG_MAX_LINES} lines; the rest is not kept)`);
      },
    };
    slot.done = work(run).then(
      () => this.finish(rec, auth, 'OK'),
      (err: unknown) => {
        const message = err instanceof ApiError ? `${err.code}: ${err.message}` : String(err);
        run.log(`TASK ERROR: ${message}`);
        return this.finish(rec, auth, message.slice(0, 500));
      },
    );
    return rec;
  }

  /** Resolves when the task ends (tests; shutdown). */
  async wait(id: string): Promise<HostTaskRecord | undefined> {
    await this.running.get(id)?.done;
    return this.get(id);
  }

  /** At start and stop: tasks left running by a process that can no longer end them. */
  async markInterrupted(): Promise<number> {
    let n = 0;
    for (const e of this.db.list('task:')) {
      const rec = e.value as HostTaskRecord;
      if (rec.status !== 'running') continue;
      const live = this.running.get(rec.id);
      if (live && live.rec.status !== 'running') continue; // ending right now; its own record follows
      this.running.delete(rec.id);
      // The stored record's line count is that of its start; the log itself says how far it got.
      const written = live ? live.rec.lines : this.db.list(logPrefix(rec.id)).length;
      await this.db.put(logKey(rec.id, Math.min(written, TASK_LOG_MAX_LINES + 1)), `TASK ERROR: ${INTERRUPTED}`);
      await this.db.put(taskKey(rec.id), { ...(live?.rec ?? rec), lines: written + 1, status: INTERRUPTED, endtime: Math.floor(this.now() / 1000) });
      n++;
    }
    if (n) this.log.warn('host tasks marked interrupted', { count: n });
    return n;
  }

  private async finish(rec: HostTaskRecord, auth: AuthInfo, status: string): Promise<void> {
    if (!this.running.has(rec.id)) return; // already marked interrupted by a shutdown
    Object.assign(rec, { status, endtime: Math.floor(this.now() / 1000) });
    // Left in the map until stored, so readers never fall back to the stored 'running' record.
    await this.db.put(taskKey(rec.id), rec);
    this.running.delete(rec.id);
    const ok = status === 'OK';
    await this.access().audit({
      action: 'task.finished',
      auth,
      ip: '-',
      target: `/system/tasks/${rec.upid}`,
      result: ok ? 'ok' : 'error',
      ...(ok ? {} : { error: status }),
      requestId: rec.upid.slice(-40),
    });
  }

  /** Keeps the newest TASKS_KEPT - 1 finished tasks, so the new one makes TASKS_KEPT. */
  private async prune(): Promise<void> {
    const finished = this.list().filter((t) => t.status !== 'running');
    const removals: Promise<void>[] = [];
    for (const t of finished.slice(TASKS_KEPT - 1)) {
      for (const e of this.db.list(logPrefix(t.id))) removals.push(this.db.delete(e.key));
      removals.push(this.db.delete(taskKey(t.id)));
    }
    // One commit for all of them (LMDB batches writes issued together) rather than one per line.
    await Promise.all(removals);
  }
}

/** The daemon's one HostTasks (created on first use, like acmeOf). */
export function hostTasksOf(deps: AppDeps): HostTasks {
  deps.hostTasks ??= new HostTasks(deps.store, () => deps.access, deps.log.child({ component: 'host-tasks' }));
  return deps.hostTasks;
}
