// What the session may do, from GET /access/permissions: per ACL path, the effective
// privileges held there (inheritance already applied by the API; a path listed with nothing
// is one where a NoAccess entry cuts what a parent grants). A path not listed has what its
// nearest listed ancestor has. The UI hides what is not allowed; the API enforces it.

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
  const nearest = parents(aclPath).find((p) => p in map);
  return nearest !== undefined && rankAt(map, nearest) >= RANK[privilege];
}

/** Whether the session holds the privilege anywhere at or below a path (to show a menu entry). */
export function canAnywhereUnder(map: PermissionMap, aclPath: string, privilege: Privilege): boolean {
  if (can(map, aclPath, privilege)) return true;
  const prefix = aclPath === '/' ? '/' : `${aclPath}/`;
  return Object.keys(map).some((p) => p.startsWith(prefix) && rankAt(map, p) >= RANK[privilege]);
}
