// apt.update: `apt-get update`, one run at a time, bounded in time (APT_UPDATE_TIMEOUT) and
// output. Each output line goes to the caller as a progress notification while it runs (the
// API keeps them as the task log). A failing run is a result (the admin reads apt's own
// message); a timeout is an error. When the caller's connection closes, apt-get is stopped:
// nobody would see its end, and a later run must not find it still holding apt's lock.
import { ApiError } from '../../../shared/errors.ts';
import { OUTPUT_MAX } from '../../../shared/privd-methods.ts';
import { execFile } from '../exec.ts';
import type { MethodHandler } from '../method.ts';

let running = false;

/** Splits a stream of chunks into lines (\n or \r: apt redraws progress with \r). */
export function lineSplitter(emit: (line: string) => void): { push(chunk: string): void; end(): void } {
  let rest = '';
  return {
    push(chunk) {
      const parts = (rest + chunk).split(/\r\n|\r|\n/);
      rest = parts.pop() ?? '';
      for (const p of parts) if (p.trim() !== '') emit(p);
    },
    end() {
      if (rest.trim() !== '') emit(rest);
      rest = '';
    },
  };
}

export const aptUpdate: MethodHandler<'apt.update'> = async (_params, { env, progress, signal }) => {
  if (running) throw new ApiError('task_running', 'apt-get update is already running');
  running = true;
  try {
    const timeoutS = env.config.APT_UPDATE_TIMEOUT;
    const lines = lineSplitter(progress);
    const r = await execFile(env.config.APT_GET, ['-q', '-o', 'APT::Status-Fd=', 'update'], {
      timeoutMs: timeoutS * 1000,
      maxOutput: OUTPUT_MAX,
      env: { DEBIAN_FRONTEND: 'noninteractive' },
      onOutput: (chunk) => lines.push(chunk),
      signal,
    });
    lines.end();
    if (r.timedOut) throw new ApiError('timeout', `apt-get update did not finish within ${timeoutS} seconds and was stopped`);
    const output = `${r.stdout}${r.stderr}`.slice(0, OUTPUT_MAX);
    return { ok: r.code === 0, exitCode: r.code, output };
  } finally {
    running = false;
  }
};
