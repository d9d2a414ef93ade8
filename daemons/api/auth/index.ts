// Builds the access hooks (authentication, authorisation, audit) for the running daemon.
import type { AppDeps } from '../deps.ts';
import type { AccessHooks } from '../framework/types.ts';
import { denyAllAccess } from './no-access.ts';

export async function buildAccess(deps: AppDeps): Promise<AccessHooks> {
  return denyAllAccess(deps.log);
}
