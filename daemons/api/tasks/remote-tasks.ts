// Tasks Steward started on remotes: recorded in LMDB when an action returns its UPID
// (`remote!UPID:…`, as PDM spells it), followed by a tracker that asks the remote for each
// running task's status until it ends — and picks them up again after a restart, since the
// state lives on the remote and the record in the store. A task's end is audited with its
// result.
import { ApiError } from '../../../shared/errors.ts';
import type { Logger } from '../../common/log.ts';
import type { AccessHooks } from '../framework/types.ts';
import type { RemoteServices } from '../remotes/index.ts';
import type { Collection, Store } from '../store/store.ts';

export interface TaskRecord {
  /** `remote!UPID:…` */
  id: string;
  remote: string;
  upid: string;
  node: string;
  type: string;
  /** The guest or object it acts on (vmid). */
  object?: string;
  /** Who started it in Steward. */
  user: string;
  /** The remote credential it was started with (the same one follows it). */
  credential: string | null;
  starttime: number;
  endtime?: number;
  /** 'running', then the remote's exit status ('OK', 'WARNINGS: n', or the error). */
  status: string;
}

/** PVE: UPID:node:pid:pstart:starttime:type:id:user:   PBS has one more field; both start with the node. */
export const UPID_RE = /^UPID:([A-Za-z0-9][A-Za-z0-9._-]{0,62}):[0-9A-Fa-f]{8}:[^\s/]{1,400}:$/;

export function splitTaskId(raw: string, remote: string): { upid: string; node: string } {
  const bang = raw.indexOf('!UPID:');
  const upid = bang >= 0 ? raw.slice(bang + 1) : raw;
  if (bang >= 0 && raw.slice(0, bang) !== remote) throw new ApiError('validation', `task ${raw} belongs to remote '${raw.slice(0, bang)}', not '${remote}'`, { errors: { upid: 'wrong remote' } });
  const m = UPID_RE.exec(upid);
  if (!m) throw new ApiError('validation', 'not a Proxmox UPID', { errors: { upid: 'must be UPID:node:…: (optionally prefixed with remote!)' } });
  return { upid, node: m[1]! };
}

export class RemoteTasks {
  private readonly db: Collection<TaskRecord>;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    store: Store,
    private readonly remotes: RemoteServices,
    private readonly access: () => AccessHooks,
    private readonly log: Logger,
    private readonly opts: { intervalMs: number; now(): number } = { intervalMs: 2000, now: Date.now },
  ) {
    this.db = store.collection<TaskRecord>('tasks');
  }

  async record(t: Omit<TaskRecord, 'id' | 'status' | 'starttime'>): Promise<TaskRecord> {
    const rec: TaskRecord = { ...t, id: `${t.remote}!${t.upid}`, status: 'running', starttime: Math.floor(this.opts.now() / 1000) };
    await this.db.put(rec.id, rec);
    return rec;
  }

  get(id: string): TaskRecord | undefined {
    return this.db.get(id)?.value;
  }

  list(): TaskRecord[] {
    return this.db.list().map((e) => e.value);
  }

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.opts.intervalMs);
    this.timer.unref();
    void this.poll();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Asks the remotes about every task still running (after a restart too). */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await Promise.all(this.list().filter((t) => t.status === 'running').map((t) => this.check(t)));
    } finally {
      this.polling = false;
    }
  }

  private async check(t: TaskRecord): Promise<void> {
    const entry = this.remotes.repo.find(t.remote);
    if (!entry) return;
    let status: { status?: string; exitstatus?: string } | null;
    try {
      const client = this.remotes.clients.client(entry, t.credential);
      status = (await client.get(`/nodes/${encodeURIComponent(t.node)}/tasks/${encodeURIComponent(t.upid)}/status`, undefined, { timeoutMs: 10_000 })) as typeof status;
    } catch (err) {
      this.log.debug('task status not available', { task: t.id, error: String(err) });
      return;
    }
    if (status?.status !== 'stopped') return;
    const done: TaskRecord = { ...t, status: status.exitstatus ?? 'unknown', endtime: Math.floor(this.opts.now() / 1000) };
    await this.db.put(t.id, done);
    const ok = done.status === 'OK' || done.status.startsWith('WARNINGS');
    await this.access().audit({
      action: 'task.finished',
      auth: { userid: t.user.split('!')[0]!, ...(t.user.includes('!') ? { tokenid: t.user } : {}), kind: t.user.includes('!') ? 'token' : 'ticket' },
      ip: '-',
      target: `/remotes/${t.remote}/tasks/${t.upid}`,
      result: ok ? 'ok' : 'error',
      ...(ok ? {} : { error: done.status.slice(0, 500) }),
      requestId: t.id.slice(-40),
    });
  }
}
