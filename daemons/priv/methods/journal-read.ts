// journal.read: `journalctl -o json` for Steward's own units only (the unit list is a
// closed enum), newest N entries, optionally since a time and up to a priority.
import { ApiError } from '../../../shared/errors.ts';
import type { PrivdResult } from '../../../shared/privd-methods.ts';
import { execFile } from '../exec.ts';
import type { MethodHandler } from '../method.ts';

type Entry = PrivdResult<'journal.read'>['entries'][number];

/** journald writes non-UTF-8 or binary fields as arrays of bytes. */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return Buffer.from(v.filter((b): b is number => typeof b === 'number')).toString('utf8');
  return '';
}

export function parseJournal(out: string): Entry[] {
  const entries: Entry[] = [];
  for (const line of out.split('\n')) {
    if (!line.trim()) continue;
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const priority = Number(text(rec.PRIORITY));
    entries.push({
      time: Number(text(rec.__REALTIME_TIMESTAMP)) / 1e6 || 0,
      unit: text(rec._SYSTEMD_UNIT ?? rec.UNIT).slice(0, 128),
      priority: Number.isInteger(priority) && priority >= 0 && priority <= 7 ? priority : 6,
      message: text(rec.MESSAGE).slice(0, 8192),
    });
  }
  return entries;
}

export const journalRead: MethodHandler<'journal.read'> = async (params, { env }) => {
  const args = ['--no-pager', '-o', 'json', '-n', String(params.lines)];
  for (const u of params.units) args.push('-u', u);
  if (params.since !== undefined) args.push(`--since=@${params.since}`);
  if (params.priority !== undefined) args.push(`--priority=${params.priority}`);
  const r = await execFile(env.config.JOURNALCTL, args, { timeoutMs: 30_000, maxOutput: 8 * 1024 * 1024 });
  if (r.timedOut) throw new ApiError('timeout', 'journalctl did not answer within 30 seconds');
  if (r.code !== 0) throw new ApiError('unavailable', `the journal cannot be read: ${r.stderr.trim().slice(0, 300)}`);
  return { entries: parseJournal(r.stdout).slice(-params.lines) };
};
