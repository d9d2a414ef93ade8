// How privd makes steward-api pick up a change. Packaged: systemd owns the API, so privd
// asks systemctl (absolute path from config) — `reload` sends SIGHUP to the unit's main
// pid (ExecReload), `restart` of socket + service rebinds a new listen address. Development
// (API_PID_FILE set): privd sends SIGHUP to the pid in that file, after checking that the
// pid belongs to a non-root process that looks like steward-api — the file is written by
// the unprivileged API, so privd must not signal whatever pid it names.
import { readFile } from 'node:fs/promises';
import { ApiError } from '../../shared/errors.ts';
import { execFile } from './exec.ts';
import type { PrivdEnv } from './method.ts';

export type ApiAction = 'reloaded' | 'restarting' | 'restart-required' | 'unchanged';

async function devPid(file: string): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number((await readFile(file, 'utf8')).trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ');
    if (uid === 0 || !Number.isInteger(uid) || !cmdline.includes('steward-api')) return undefined;
  } catch {
    return undefined;
  }
  return pid;
}

export async function signalApi(env: PrivdEnv, what: 'reload' | 'restart'): Promise<ApiAction> {
  const { config } = env;
  if (config.API_PID_FILE) {
    if (what === 'restart') return 'restart-required';
    const pid = await devPid(config.API_PID_FILE);
    if (pid === undefined) return 'unchanged';
    process.kill(pid, 'SIGHUP');
    return 'reloaded';
  }
  // --no-block: the restart stops the very process whose request is asking for it.
  const args = what === 'reload' ? ['reload', 'steward-api.service'] : ['--no-block', 'restart', 'steward-api.socket', 'steward-api.service'];
  const r = await execFile(config.SYSTEMCTL, args, { timeoutMs: 30_000, maxOutput: 16 * 1024 });
  if (r.code !== 0) throw new ApiError('internal', `systemctl ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim().slice(0, 500)}`);
  return what === 'reload' ? 'reloaded' : 'restarting';
}

/** systemctl daemon-reload after a unit drop-in changed (not in development mode). */
export async function daemonReload(env: PrivdEnv): Promise<void> {
  if (env.config.API_PID_FILE) return;
  const r = await execFile(env.config.SYSTEMCTL, ['daemon-reload'], { timeoutMs: 60_000, maxOutput: 16 * 1024 });
  if (r.code !== 0) throw new ApiError('internal', `systemctl daemon-reload failed: ${(r.stderr || r.stdout).trim().slice(0, 500)}`);
}
