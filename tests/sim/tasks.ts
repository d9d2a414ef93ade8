// Tasks as Proxmox runs them: a UPID in the exact format of each product, a worker that runs
// for a realistic time (divided by the taskSpeed option), a log that grows while it runs and
// ends in `TASK OK` or `TASK ERROR: …`, and an effect on the state when it ends (a guest's
// status flips, a migration moves it). Time advances lazily: every request first ends the
// tasks whose time is up, so there are no timers to leak.
import type { NodeState, RemoteState, World } from './state.ts';
import { findNode } from './state.ts';
import { hash32, mulberry32 } from './rng.ts';

export interface Task {
  upid: string;
  remote: RemoteState;
  node: string;
  pid: number;
  pstart: number;
  /** PBS only: the per-process task counter. */
  taskId?: number;
  starttime: number;
  type: string;
  id: string;
  user: string;
  status: 'running' | 'stopped';
  /** `OK`, `WARNINGS: n`, or the error message. */
  exitstatus?: string;
  endtime?: number;
  startMs: number;
  endMs: number;
  /** Log lines with the time (ms after start) they appear; the final TASK line is added at the end. */
  lines: { atMs: number; text: string }[];
  /** Runs when the task's time is up; returns an error message to fail it instead. */
  finish?: () => string | void;
  /** A failure known from the start (the worker dies with it). */
  error?: string;
  warnings?: number;
}

export interface StartTask {
  remote: RemoteState;
  node: string;
  type: string;
  id: string;
  user: string;
  /** Realistic duration in ms (before taskSpeed). */
  durationMs: number;
  lines?: string[];
  error?: string;
  finish?: () => string | void;
}

const hex8 = (n: number) => (n >>> 0).toString(16).toUpperCase().padStart(8, '0');

/** systemd's unit-name escaping, which PBS applies to the worker id in a UPID. */
export function systemdEscape(s: string): string {
  let out = '';
  for (const [i, ch] of [...s].entries()) {
    if (ch === '/') out += '-';
    else if (/[A-Za-z0-9_:]/.test(ch) && ch !== ':') out += ch;
    else if (ch === '.' && i > 0) out += ch;
    else out += [...Buffer.from(ch)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
  }
  return out;
}

export function formatUpid(t: Pick<Task, 'node' | 'pid' | 'pstart' | 'taskId' | 'starttime' | 'type' | 'id' | 'user'>, product: 'pve' | 'pbs'): string {
  if (product === 'pve') return `UPID:${t.node}:${hex8(t.pid)}:${hex8(t.pstart)}:${hex8(t.starttime)}:${t.type}:${t.id}:${t.user}:`;
  return `UPID:${t.node}:${hex8(t.pid)}:${hex8(t.pstart)}:${hex8(t.taskId ?? 0)}:${hex8(t.starttime)}:${t.type}:${systemdEscape(t.id)}:${t.user}:`;
}

const PVE_UPID = /^UPID:([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-F]{8}):([0-9A-F]{8,9}):([0-9A-F]{8}):([^:\s]+):([^:\s]*):([^:\s]+):$/;
const PBS_UPID = /^UPID:([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-F]{8}):([0-9A-F]{8,9}):([0-9A-F]{8,16}):([0-9A-F]{8}):([^:\s]+):([^:\s]*):([^:\s]+):$/;

export function parseUpid(upid: string, product: 'pve' | 'pbs'): { node: string } | null {
  const m = (product === 'pve' ? PVE_UPID : PBS_UPID).exec(upid);
  return m ? { node: m[1]! } : null;
}

/** Fields every task entry has, in both products. */
export function taskBase(t: Task): { upid: string; node: string; pid: number; pstart: number; starttime: number } {
  return { upid: t.upid, node: t.node, pid: t.pid, pstart: t.pstart, starttime: t.starttime };
}

/** One page of a task log as `[{n, t}]` (n counts from 1), with the total for the envelope. */
export function logPage(lines: string[], start: number, limit: number): { page: { n: number; t: string }[]; total: number } {
  return { page: lines.slice(start, start + limit).map((text, i) => ({ n: start + i + 1, t: text })), total: lines.length };
}

export class TaskEngine {
  readonly byUpid = new Map<string, Task>();
  private readonly running = new Set<Task>();
  private readonly perRemote = new Map<string, Task[]>();
  private pbsCounter = 1;

  constructor(private readonly world: World) {}

  list(remote: RemoteState): Task[] {
    let l = this.perRemote.get(remote.id);
    if (!l) this.perRemote.set(remote.id, (l = []));
    return l;
  }

  private add(t: Task): void {
    this.byUpid.set(t.upid, t);
    const l = this.list(t.remote);
    l.push(t);
    // Keep the archive bounded, like the rotated task index of a real node.
    if (l.length > 2000) for (const old of l.splice(0, l.length - 1500)) this.byUpid.delete(old.upid);
  }

  private ids(node: NodeState, startMs: number) {
    const r = mulberry32(hash32(`${node.name}/${startMs}/${this.byUpid.size}`));
    return { pid: 1000 + Math.floor(r() * 3_000_000), pstart: Math.floor((startMs - node.bootAt) / 10) };
  }

  start(s: StartTask): Task {
    this.advance();
    const node = findNode(s.remote, s.node)!;
    const startMs = this.world.nodeNow(node);
    const duration = Math.max(1, Math.round(s.durationMs / this.world.opts.taskSpeed));
    const { pid, pstart } = this.ids(node, startMs);
    const product = s.remote.type;
    const base = { node: node.name, pid, pstart, starttime: Math.floor(startMs / 1000), type: s.type, id: s.id, user: s.user, ...(product === 'pbs' ? { taskId: this.pbsCounter++ } : {}) };
    const lines = s.lines ?? [];
    const t: Task = {
      ...base,
      upid: formatUpid(base, product),
      remote: s.remote,
      status: 'running',
      startMs: this.world.now(),
      endMs: this.world.now() + duration,
      lines: lines.map((text, i) => ({ atMs: Math.floor(((i + 1) / (lines.length + 1)) * duration), text })),
      ...(s.finish ? { finish: s.finish } : {}),
      ...(s.error ? { error: s.error } : {}),
    };
    this.add(t);
    this.running.add(t);
    return t;
  }

  /** Ends every task whose time is up (in order), applying its effect. */
  advance(): void {
    if (this.running.size === 0) return;
    const now = this.world.now();
    const due = [...this.running].filter((t) => t.endMs <= now).sort((a, b) => a.endMs - b.endMs);
    for (const t of due) this.end(t, t.error ?? (t.finish ? (t.finish() ?? undefined) : undefined));
  }

  private end(t: Task, error: string | undefined): void {
    this.running.delete(t);
    t.status = 'stopped';
    t.endtime = Math.floor(t.endMs / 1000);
    t.exitstatus = error ? error : t.warnings ? `WARNINGS: ${t.warnings}` : 'OK';
  }

  /** DELETE …/tasks/{upid}: the worker gets SIGTERM; its effect does not happen. */
  stop(t: Task): void {
    if (t.status !== 'running') return;
    t.endMs = this.world.now();
    t.lines = t.lines.filter((l) => l.atMs <= t.endMs - t.startMs);
    t.lines.push({ atMs: t.endMs - t.startMs, text: 'received interrupt' });
    this.end(t, 'interrupted by signal');
  }

  /** The log as visible now: lines already written, then the final TASK line once it ended. */
  log(t: Task): string[] {
    const elapsed = this.world.now() - t.startMs;
    const out = (t.lines.length || t.status === 'running' ? t.lines : historyLines(t)).filter((l) => l.atMs <= elapsed).map((l) => l.text);
    if (t.status === 'stopped') {
      const s = t.exitstatus ?? 'OK';
      out.push(s === 'OK' ? 'TASK OK' : s.startsWith('WARNINGS') ? `TASK ${s}` : `TASK ERROR: ${s}`);
    }
    return out;
  }

  /** A few days of past tasks per node: nightly backups, apt updates, some starts and one failure. */
  seedHistory(): void {
    const nowS = Math.floor(this.world.now() / 1000);
    for (const remote of this.world.remotes.values()) {
      const past: Task[] = [];
      for (const node of remote.nodes) {
        const r = mulberry32(node.seed);
        const user = 'root@pam';
        const mk = (type: string, id: string, starttime: number, secs: number, exitstatus = 'OK') => {
          const startMs = starttime * 1000;
          const { pid, pstart } = this.ids(node, startMs);
          const base = { node: node.name, pid, pstart, starttime, type, id, user, ...(remote.type === 'pbs' ? { taskId: this.pbsCounter++ } : {}) };
          past.push({ ...base, upid: formatUpid(base, remote.type), remote, status: 'stopped', exitstatus, endtime: starttime + secs, startMs, endMs: (starttime + secs) * 1000, lines: [] });
        };
        for (let d = 3; d >= 1; d--) {
          const day = nowS - (nowS % 86_400) - d * 86_400;
          if (remote.type === 'pve') {
            mk('aptupdate', '', day + 3 * 3600 + Math.floor(r() * 600), 8);
            const guests = [...remote.guests.values()].filter((g) => g.node === node.name);
            if (remote.backupJobs.length) mk('vzdump', '', day + 21 * 3600, 60 + guests.length * 40, d === 2 && node.nodeid === 2 ? 'job errors' : 'OK');
            const g = guests[Math.floor(r() * guests.length)];
            if (g) mk(g.type === 'qemu' ? 'qmstart' : 'vzstart', String(g.vmid), day + 9 * 3600 + Math.floor(r() * 3600), 3);
          } else if (remote.type === 'pbs') {
            mk('aptupdate', '', day + 3 * 3600, 6);
            for (const ds of remote.datastores) {
              mk('garbage_collection', ds.name, day + 2 * 3600, 300, ds.gcError && d === 1 ? ds.gcError : 'OK');
              mk('verificationjob', `${ds.name}:v-${ds.name}`, day + 4 * 3600, 900, ds.verifyFailed && d === 1 ? 'verification failed - please check the log for details' : 'OK');
              mk('prunejob', `${ds.name}:p-${ds.name}`, day + 1 * 3600, 20);
            }
            for (const sj of remote.syncJobs) mk('syncjob', `${sj.remote}:${sj['remote-store']}:${sj.store}::s-${sj.id}`, day + 5 * 3600, 120, sj.lastError && d === 1 ? sj.lastError : 'OK');
          }
        }
      }
      past.sort((a, b) => a.starttime - b.starttime);
      for (const t of past) this.add(t);
      if (remote.type === 'pbs') {
        for (const ds of remote.datastores) {
          const find = (type: string) => past.filter((t) => t.type === type && t.id.startsWith(ds.name)).at(-1)?.upid;
          ds.last = { gc: find('garbage_collection'), verify: find('verificationjob'), prune: find('prunejob') };
        }
        for (const sj of remote.syncJobs) sj.lastUpid = past.filter((t) => t.type === 'syncjob' && t.id.endsWith(`s-${sj.id}`)).at(-1)?.upid;
      }
    }
  }
}

/** Plausible logs for past tasks (generated when read, not stored). */
function historyLines(t: Task): { atMs: number; text: string }[] {
  const L = (text: string) => ({ atMs: 0, text });
  switch (t.type) {
    case 'aptupdate':
      return ['starting apt-get update', 'Hit:1 http://deb.debian.org/debian trixie InRelease', 'Hit:2 http://deb.debian.org/debian trixie-updates InRelease', 'Hit:3 http://security.debian.org/debian-security trixie-security InRelease', 'Reading package lists...'].map(L);
    case 'vzdump':
      return [`INFO: starting new backup job: vzdump --all 1 --mode snapshot --quiet 1`, 'INFO: Backup job finished successfully'].map(L);
    case 'garbage_collection':
      return [`starting garbage collection on store ${t.id}`, 'Start GC phase1 (mark used chunks)', 'Start GC phase2 (sweep unused chunks)', 'Removed garbage: 1.2 GiB', 'Pending removals: 310.4 MiB (in 212 chunks)'].map(L);
    case 'verificationjob':
      return [`Starting datastore verify job '${t.id}'`, `verify datastore ${t.id.split(':')[0]}`].map(L);
    default:
      return [];
  }
}
