// The access hooks before anyone can log in: nobody is authenticated, nothing is authorised.
import type { AccessHooks } from '../framework/types.ts';
import type { Logger } from '../../common/log.ts';

export function denyAllAccess(log: Logger): AccessHooks {
  return {
    authenticate: async () => null,
    authorize: () => false,
    audit: (e) => log.notice('audit', { action: e.action, result: e.result, ip: e.ip, target: e.target }),
  };
}
