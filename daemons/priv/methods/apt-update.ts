// apt.update: `apt-get update`, bounded in time and output; a failing run is a result
// (the admin reads apt's own message), a timeout is an error.
import { ApiError } from '../../../shared/errors.ts';
import { OUTPUT_MAX } from '../../../shared/privd-methods.ts';
import { execFile } from '../exec.ts';
import type { MethodHandler } from '../method.ts';

export const APT_UPDATE_TIMEOUT_MS = 10 * 60_000;

export const aptUpdate: MethodHandler<'apt.update'> = async (_params, { env }) => {
  const r = await execFile(env.config.APT_GET, ['-q', '-o', 'APT::Status-Fd=', 'update'], {
    timeoutMs: APT_UPDATE_TIMEOUT_MS,
    maxOutput: OUTPUT_MAX,
    env: { DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.timedOut) throw new ApiError('timeout', 'apt-get update did not finish within 10 minutes');
  const output = `${r.stdout}${r.stderr}`.slice(0, OUTPUT_MAX);
  return { ok: r.code === 0, exitCode: r.code, output };
};
