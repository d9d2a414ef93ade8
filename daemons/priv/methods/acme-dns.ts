// acme.dns: publishes or removes a dns-01 TXT record through the administrator's hook
// program (ACME_DNS_HOOK, an absolute path in steward.conf; never a shell). The hook gets
// argv [add|remove, domain, record-name, value] and must exit 0 once the record is served.
import { ApiError } from '../../../shared/errors.ts';
import { execFile } from '../exec.ts';
import type { MethodHandler } from '../method.ts';

const HOOK_TIMEOUT_MS = 120_000;

export const acmeDns: MethodHandler<'acme.dns'> = async ({ action, domain, name, value }, { env, log }) => {
  const hook = env.config.ACME_DNS_HOOK;
  if (!hook) throw new ApiError('acme_challenge_failed', 'dns-01 needs ACME_DNS_HOOK in steward.conf (absolute path of the hook program)');
  const r = await execFile(hook, [action, domain, name, value], { timeoutMs: HOOK_TIMEOUT_MS, maxOutput: 16 * 1024 });
  log.notice('acme dns hook ran', { action, domain, name, code: r.code, timedOut: r.timedOut });
  if (r.code !== 0) {
    const tail = `${r.stderr}${r.stdout}`.trim().slice(-500);
    throw new ApiError('acme_challenge_failed', `the dns-01 hook ${hook} ${action} ${name} failed (${r.timedOut ? 'timed out' : `exit ${r.code ?? r.signal}`})${tail ? `: ${tail}` : ''}`);
  }
  return { ok: true as const };
};
