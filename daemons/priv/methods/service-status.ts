// service.status: `systemctl show` of Steward's own units. Without systemd (development,
// containers without it) every unit reads as "unknown" rather than failing.
import { STEWARD_UNITS } from '../../../shared/privd-methods.ts';
import type { PrivdResult } from '../../../shared/privd-methods.ts';
import { execFile } from '../exec.ts';
import type { MethodHandler } from '../method.ts';

type Unit = PrivdResult<'service.status'>['units'][number];
const PROPS = 'Id,ActiveState,SubState,MainPID,ActiveEnterTimestamp,NRestarts';

/** `systemctl show` prints one KEY=value block per unit, separated by blank lines. */
export function parseShow(text: string): Unit[] {
  const units: Unit[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const kv = Object.fromEntries(block.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const unit = STEWARD_UNITS.find((u) => u === kv.Id);
    if (!unit) continue;
    // --timestamp=unix prints "@1716199200"; empty when the unit never became active.
    const since = Number(/^@(\d+)/.exec(kv.ActiveEnterTimestamp ?? '')?.[1] ?? NaN);
    units.push({
      unit,
      active: (kv.ActiveState ?? 'unknown').slice(0, 32),
      sub: (kv.SubState ?? 'unknown').slice(0, 32),
      pid: Number(kv.MainPID) || 0,
      since: Number.isFinite(since) && since > 0 ? since : null,
      restarts: Number(kv.NRestarts) || 0,
    });
  }
  return units;
}

export const serviceStatus: MethodHandler<'service.status'> = async (_params, { env, log }) => {
  let units: Unit[] = [];
  try {
    const r = await execFile(env.config.SYSTEMCTL, ['show', '--timestamp=unix', `--property=${PROPS}`, '--', ...STEWARD_UNITS], { timeoutMs: 15_000, maxOutput: 64 * 1024 });
    if (r.code === 0) units = parseShow(r.stdout);
    else log.info('systemctl show failed', { code: r.code, stderr: r.stderr.slice(0, 200) });
  } catch (err) {
    log.info('systemctl is not available', { err });
  }
  return {
    units: STEWARD_UNITS.map((unit) => units.find((u) => u.unit === unit) ?? { unit, active: 'unknown', sub: 'unknown', pid: 0, since: null, restarts: 0 }),
  };
};
