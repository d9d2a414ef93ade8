// apt.changelog: `apt-get changelog PACKAGE` (the name is schema-checked, so it cannot be an option).
import { ApiError } from '../../../shared/errors.ts';
import { OUTPUT_MAX } from '../../../shared/privd-methods.ts';
import { execFile } from '../exec.ts';
import type { MethodHandler } from '../method.ts';

export const aptChangelog: MethodHandler<'apt.changelog'> = async ({ package: pkg }, { env }) => {
  const r = await execFile(env.config.APT_GET, ['-q', 'changelog', pkg], { timeoutMs: 60_000, maxOutput: OUTPUT_MAX });
  if (r.timedOut) throw new ApiError('timeout', `apt-get changelog ${pkg} did not finish within a minute`);
  if (r.code !== 0) {
    const msg = r.stderr.trim().split('\n').pop() ?? '';
    throw new ApiError(/unable to find|no packages found|not found/i.test(r.stderr) ? 'not_found' : 'internal', `no changelog for ${pkg}: ${msg.slice(0, 300)}`);
  }
  return { package: pkg, text: r.stdout, truncated: r.truncated };
};
