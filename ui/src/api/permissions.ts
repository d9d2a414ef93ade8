// What the session may do, from GET /access/permissions: per ACL path, the privileges held.
// Grants propagate down the path (a role on /remotes covers /remotes/pve1/…), so a check
// walks from the path up to '/'. The UI hides what is not allowed; the API enforces it.

export type Privilege = 'audit' | 'manage' | 'admin';

const RANK: Record<Privilege, number> = { audit: 1, manage: 2, admin: 3 };

/** The wire shape: path → privilege → held (Proxmox-style `{"/": {"audit": 1}}`). */
export type PermissionMap = Record<string, Record<string, number | boolean>>;

function rankAt(map: PermissionMap, p: string): number {
  const privs = map[p];
  if (!privs) return 0;
  let best = 0;
  for (const [priv, held] of Object.entries(privs)) {
    if (held && priv in RANK) best = Math.max(best, RANK[priv as Privilege]);
  }
  return best;
}

function parents(p: string): string[] {
  const parts = p.split('/').filter(Boolean);
  const out: string[] = [];
  for (let i = parts.length; i > 0; i--) out.push('/' + parts.slice(0, i).join('/'));
  out.push('/');
  return out;
}

export function can(map: PermissionMap, aclPath: string, privilege: Privilege): boolean {
  const need = RANK[privilege];
  return parents(aclPath).some((p) => rankAt(map, p) >= need);
}

/** Whether the session holds the privilege anywhere at or below a path (to show a menu entry). */
export function canAnywhereUnder(map: PermissionMap, aclPath: string, privilege: Privilege): boolean {
  if (can(map, aclPath, privilege)) return true;
  const prefix = aclPath === '/' ? '/' : `${aclPath}/`;
  return Object.keys(map).some((p) => p.startsWith(prefix) && rankAt(map, p) >= RANK[privilege]);
}
