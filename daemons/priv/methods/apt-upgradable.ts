// apt.upgradable: what a full upgrade would install, read from `apt-get -s dist-upgrade`
// (simulation: no lock, no change). Its `Inst` lines are apt's stable, script-facing form:
//   Inst libssl3 [3.0.15-1~deb12u1] (3.0.16-1~deb12u1 Debian-Security:12/stable-security [amd64])
import { ApiError } from '../../../shared/errors.ts';
import type { PrivdResult } from '../../../shared/privd-methods.ts';
import { execFile } from '../exec.ts';
import type { MethodHandler } from '../method.ts';

type Pkg = PrivdResult<'apt.upgradable'>['packages'][number];

const INST = /^Inst (\S+) (?:\[([^\]]+)\] )?\((\S+) (.*?) ?\[([^\]]+)\]\)/;

export function parseSimulation(text: string): Pkg[] {
  const out: Pkg[] = [];
  for (const line of text.split('\n')) {
    const m = INST.exec(line);
    if (!m) continue;
    const origin = m[4]!.trim();
    out.push({
      package: m[1]!.replace(/:[a-z0-9]+$/, ''),
      current: m[2] ?? null,
      candidate: m[3]!,
      origin,
      arch: m[5]!,
      security: /(^|[\s,/:-])security\b|Debian-Security/i.test(origin),
    });
  }
  return out;
}

export const aptUpgradable: MethodHandler<'apt.upgradable'> = async (_params, { env }) => {
  const r = await execFile(env.config.APT_GET, ['-s', '-q', '-o', 'Debug::NoLocking=1', 'dist-upgrade'], {
    timeoutMs: 120_000,
    maxOutput: 16 * 1024 * 1024,
    env: { DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.timedOut) throw new ApiError('timeout', 'apt-get did not answer within 2 minutes');
  if (r.code !== 0) throw new ApiError('internal', `apt-get -s dist-upgrade failed: ${r.stderr.trim().slice(0, 500)}`);
  return { packages: parseSimulation(r.stdout) };
};
