// The only way privd runs a program: an absolute path and an argv array (never a shell),
// a minimal environment, a timeout, and a cap on captured output.
import { spawn } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { ApiError } from '../../shared/errors.ts';

export interface ExecOptions {
  timeoutMs?: number;
  maxOutput?: number;
  env?: Record<string, string>;
  cwd?: string;
  stdin?: string;
  /** Called with each chunk of stdout+stderr as it arrives (task logs). */
  onOutput?: (chunk: string) => void;
  /** Stops the program (SIGTERM, then SIGKILL) when aborted. */
  signal?: AbortSignal;
}

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  timedOut: boolean;
}

const SAFE_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };

export function execFile(file: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  if (!isAbsolute(file)) throw new ApiError('internal', `refusing to run a program without an absolute path: ${file}`);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const maxOutput = opts.maxOutput ?? 4 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], {
      shell: false,
      cwd: opts.cwd ?? '/',
      env: { ...SAFE_ENV, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, so a timeout stops what it started too (apt's fetch methods,
      // a hook's children) — they would otherwise keep the output pipes open.
      detached: true,
    });
    const out = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    let total = 0;
    let truncated = false;
    let timedOut = false;
    const collect = (which: 'stdout' | 'stderr') => (chunk: Buffer) => {
      opts.onOutput?.(chunk.toString('utf8'));
      if (total + chunk.length > maxOutput) {
        truncated = true;
        chunk = chunk.subarray(0, Math.max(0, maxOutput - total));
      }
      total += chunk.length;
      if (chunk.length) out[which].push(chunk);
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    const signalGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        child.kill(sig); // the group is gone already
      }
    };
    const stop = () => {
      signalGroup('SIGTERM');
      setTimeout(() => signalGroup('SIGKILL'), 2000).unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, timeoutMs);
    opts.signal?.addEventListener('abort', stop, { once: true });
    const done = () => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', stop);
    };
    child.on('error', (err) => {
      done();
      reject(err);
    });
    child.on('close', (code, signal) => {
      done();
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out.stdout).toString('utf8'),
        stderr: Buffer.concat(out.stderr).toString('utf8'),
        truncated,
        timedOut,
      });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin ?? '');
  });
}
