// Builds the access hooks (authentication, authorisation, audit) for the running daemon, and
// puts the access-control service and its ACL answers on deps for routes and other modules.
import { ApiError } from '../../../shared/errors.ts';
import type { AppDeps } from '../deps.ts';
import type { AccessHooks } from '../framework/types.ts';
import { AccessControl } from './access-control.ts';
import type { AccessOptions } from './access-control.ts';

export async function buildAccess(deps: AppDeps, opts: AccessOptions = {}): Promise<AccessHooks> {
  const ac = new AccessControl(deps.store, () => deps.config, deps.log.child({ component: 'access' }), opts);
  deps.accessControl = ac;
  deps.acl = ac.query;
  return ac.hooks;
}

/** The access-control service, for route handlers. */
export function accessOf(deps: AppDeps): AccessControl {
  if (!deps.accessControl) throw new ApiError('unavailable', 'access control is not configured');
  return deps.accessControl;
}
