// /system/…: this host, through steward-privd.
import { PRIVD_METHODS } from '../../../shared/privd-methods.ts';
import { defineRoute } from '../framework/route.ts';

export const routes = [
  defineRoute({
    method: 'GET',
    path: '/system/status',
    summary: "This host's status (hostname, kernel, OS, uptime, memory), read by the root daemon",
    tags: ['system'],
    output: PRIVD_METHODS['system.info'].result,
    permission: { path: '/system', privilege: 'audit' },
    audit: false,
    handler: ({ deps, auth, c }) =>
      deps.privd.call('system.info', {}, { user: auth.tokenid ?? auth.userid, ip: c.get('clientIp'), requestId: c.get('requestId') }),
  }),
];
