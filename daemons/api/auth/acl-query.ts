// What the rest of the API asks the access-control layer about a caller's rights.
// The access-control module implements it; remotes, resources and views only consume it.
import type { AuthInfo, Privilege } from '../framework/types.ts';

export type Role = 'Audit' | 'Manage' | 'Admin';

export const ROLE_PRIVILEGE: Record<Role, Privilege> = { Audit: 'audit', Manage: 'manage', Admin: 'admin' };

/** audit < manage < admin */
export function privilegeAtLeast(have: Privilege, need: Privilege): boolean {
  const order: Privilege[] = ['audit', 'manage', 'admin'];
  return order.indexOf(have) >= order.indexOf(need);
}

export interface RemoteAccess {
  /** The caller's effective role on the remote (direct grant on /remotes/{id}, or through a group). */
  role: Role;
  /**
   * Which of the remote's named credentials to act with: null means the remote's default
   * (first) credential — a direct grant; through a group it is that group's credential.
   */
  credential: string | null;
}

export interface AclQuery {
  /** The caller's effective role on a concrete ACL path (propagation, NoAccess, token ceiling applied), or null. */
  role(auth: AuthInfo, path: string): Role | null;
  /** The caller's access to a remote, directly or through groups; the highest role wins. null: not visible. */
  remoteAccess(auth: AuthInfo, remoteId: string): RemoteAccess | null;
  /** The saved views the caller holds a role on (customers who see only their view). */
  views(auth: AuthInfo): { id: string; role: Role }[];
}

/** Before access control is configured: nobody sees anything. */
export const NO_ACL: AclQuery = {
  role: () => null,
  remoteAccess: () => null,
  views: () => [],
};
