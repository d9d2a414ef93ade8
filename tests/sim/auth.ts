// Authentication and permissions as PVE and PBS do them: API tokens in the Authorization
// header, tickets in a cookie with a CSRF token for writes, and ACL entries (role on a path,
// propagating down) evaluated per request — including PVE's pool rule (a guest or storage in
// a pool inherits the pool's ACL), so a pool-limited token really sees less.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Guest, PbsState, Principal, PveState, RemoteState } from './state.ts';

const VM_ALL = ['VM.Allocate', 'VM.Audit', 'VM.Backup', 'VM.Clone', 'VM.Config.CDROM', 'VM.Config.CPU', 'VM.Config.Cloudinit', 'VM.Config.Disk', 'VM.Config.HWType', 'VM.Config.Memory', 'VM.Config.Network', 'VM.Config.Options', 'VM.Console', 'VM.GuestAgent.Audit', 'VM.Migrate', 'VM.PowerMgmt', 'VM.Replicate', 'VM.Snapshot', 'VM.Snapshot.Rollback'];
const PVE_ALL = [...VM_ALL, 'Datastore.Allocate', 'Datastore.AllocateSpace', 'Datastore.AllocateTemplate', 'Datastore.Audit', 'Group.Allocate', 'Mapping.Audit', 'Mapping.Modify', 'Mapping.Use', 'Permissions.Modify', 'Pool.Allocate', 'Pool.Audit', 'Realm.Allocate', 'Realm.AllocateUser', 'SDN.Allocate', 'SDN.Audit', 'SDN.Use', 'Sys.AccessNetwork', 'Sys.Audit', 'Sys.Console', 'Sys.Incoming', 'Sys.Modify', 'Sys.PowerMgmt', 'Sys.Syslog', 'User.Modify'];

/** PVE's built-in roles (pve-access-control), the ones scenarios use. */
export const PVE_ROLES: Record<string, string[]> = {
  Administrator: PVE_ALL,
  NoAccess: [],
  PVEAuditor: ['Datastore.Audit', 'Mapping.Audit', 'Pool.Audit', 'SDN.Audit', 'Sys.Audit', 'VM.Audit', 'VM.GuestAgent.Audit'],
  PVEVMUser: ['VM.Audit', 'VM.Backup', 'VM.Config.CDROM', 'VM.Config.Cloudinit', 'VM.Console', 'VM.PowerMgmt', 'VM.GuestAgent.Audit'],
  PVEVMAdmin: VM_ALL,
  PVEPoolUser: ['Pool.Audit'],
  PVEPoolAdmin: ['Pool.Allocate', 'Pool.Audit'],
  PVEDatastoreUser: ['Datastore.AllocateSpace', 'Datastore.Audit'],
  PVEDatastoreAdmin: ['Datastore.Allocate', 'Datastore.AllocateSpace', 'Datastore.AllocateTemplate', 'Datastore.Audit'],
  PVESysAdmin: ['Permissions.Modify', 'Sys.Audit', 'Sys.Console', 'Sys.Syslog', 'Sys.PowerMgmt', 'Sys.Modify'],
};

const PBS_ALL = ['Datastore.Allocate', 'Datastore.Audit', 'Datastore.Backup', 'Datastore.Modify', 'Datastore.Prune', 'Datastore.Read', 'Datastore.Verify', 'Permissions.Modify', 'Remote.Audit', 'Remote.Modify', 'Remote.Read', 'Sys.Audit', 'Sys.Console', 'Sys.Modify', 'Sys.PowerManagement'];

/** PBS's built-in roles (pbs-api-types). */
export const PBS_ROLES: Record<string, string[]> = {
  Admin: PBS_ALL,
  NoAccess: [],
  Audit: ['Datastore.Audit', 'Remote.Audit', 'Sys.Audit'],
  DatastoreAdmin: ['Datastore.Audit', 'Datastore.Backup', 'Datastore.Modify', 'Datastore.Prune', 'Datastore.Read', 'Datastore.Verify'],
  DatastoreReader: ['Datastore.Audit', 'Datastore.Read', 'Datastore.Verify'],
  DatastoreBackup: ['Datastore.Backup'],
  DatastorePowerUser: ['Datastore.Backup', 'Datastore.Prune'],
  DatastoreAudit: ['Datastore.Audit'],
  RemoteAdmin: ['Remote.Audit', 'Remote.Modify', 'Remote.Read'],
};

const roleSets = { pve: new Map<string, Set<string>>(), pbs: new Map<string, Set<string>>() };
function roleSet(product: 'pve' | 'pbs', role: string): Set<string> {
  let set = roleSets[product].get(role);
  if (!set) roleSets[product].set(role, (set = new Set((product === 'pve' ? PVE_ROLES : PBS_ROLES)[role] ?? [])));
  return set;
}

export class Auth {
  constructor(
    readonly remote: RemoteState,
    readonly principal: Principal,
  ) {}

  get authid(): string {
    return this.principal.authid;
  }

  /**
   * Privileges on a path, as pve-access-control's `roles()` and PBS's `AclTree::roles` compute
   * them: walking from `/` down to the path, the deepest level with entries for the credential
   * (propagating ones, or any on the path itself) replaces what was inherited, and NoAccess
   * there removes everything. PVE then adds the roles of a guest's pool (RPCEnvironment).
   */
  privs(path: string): Set<string> {
    const out = new Set<string>();
    for (const role of this.roles(path)) for (const p of roleSet(this.remote.type, role)) out.add(p);
    return out;
  }

  private roles(path: string): string[] {
    const cached = this.roleCache.get(path);
    if (cached) return cached;
    // RPCEnvironment: NoAccess on the path is not trumped by the pool's roles, but NoAccess
    // on the pool trumps the path's own.
    const own = this.rolesOn(path);
    const pooled = this.extraPaths(path).flatMap((p) => this.rolesOn(p));
    const roles = own.includes('NoAccess') || pooled.includes('NoAccess') ? [] : [...own, ...pooled];
    this.roleCache.set(path, roles);
    return roles;
  }

  private readonly roleCache = new Map<string, string[]>();

  /** The roles on a path after the walk from `/` (NoAccess kept, so the caller can apply it). */
  private rolesOn(path: string): string[] {
    const parts = path.split('/').filter(Boolean);
    let current: string[] = [];
    // Each level's path built from the one above: this runs for every guest of every
    // /cluster/resources answer (50,000 per sweep of the scale scenario).
    let level = '';
    for (let depth = 0; depth <= parts.length; depth++) {
      if (depth > 0) level += `/${parts[depth - 1]}`;
      const at = level || '/';
      const final = depth === parts.length;
      let here: string[] | undefined;
      for (const a of this.principal.acl) if (a.path === at && (final || a.propagate)) (here ??= []).push(a.role);
      if (here) current = here.includes('NoAccess') ? ['NoAccess'] : here;
    }
    return current;
  }

  /** PVE: a guest in a pool also gets the pool's roles. */
  private extraPaths(path: string): string[] {
    if (this.remote.type !== 'pve' || !path.startsWith('/vms/')) return [];
    const g = this.remote.guests.get(Number(path.slice(5)));
    return g?.pool ? [`/pool/${g.pool}`] : [];
  }

  has(path: string, privs: string[], any = false): boolean {
    const roles = this.roles(path);
    const holds = (p: string) => roles.some((r) => roleSet(this.remote.type, r).has(p));
    return any ? privs.some(holds) : privs.every(holds);
  }

  canSeeGuest(g: Guest): boolean {
    return this.has(`/vms/${g.vmid}`, ['VM.Audit']);
  }

  /** Whether the credential holds any privilege on the path or below it (PBS "partial" checks). */
  hasBelow(path: string, privs: string[]): boolean {
    if (this.has(path, privs, true)) return true;
    return this.principal.acl.some((a) => a.path.startsWith(path + '/') && privs.some((p) => roleSet(this.remote.type, a.role).has(p)));
  }

  /** PVE's /access/permissions: the privileges per ACL path (and the usual top-level paths). */
  permissionsTree(only?: string): Record<string, Record<string, number>> {
    const top = this.remote.type === 'pve' ? ['/', '/access', '/nodes', '/pool', '/sdn', '/storage', '/vms', '/mapping'] : ['/', '/access', '/datastore', '/remote', '/system'];
    const paths = only ? [only] : [...new Set([...top, ...this.principal.acl.map((a) => a.path)])];
    const out: Record<string, Record<string, number>> = {};
    for (const p of paths) {
      const privs = this.privs(p);
      if (privs.size === 0 && p !== only) continue;
      out[p] = Object.fromEntries([...privs].sort().map((x) => [x, 1]));
    }
    return out;
  }
}

// ---- credentials ------------------------------------------------------------------------------

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `PVEAPIToken=user@realm!id=secret` / `PBSAPIToken=user@realm!id:secret`; null when absent. */
export function tokenFromHeader(remote: RemoteState, header: string | undefined): { tokenid: string; secret: string } | null | 'malformed' {
  if (!header) return null;
  const scheme = remote.type === 'pve' ? 'PVEAPIToken' : 'PBSAPIToken';
  const m = new RegExp(`^${scheme}[= ](.+)$`).exec(header.trim());
  if (!m) return 'malformed';
  const value = m[1]!;
  // PVE: user@realm!id=secret; PBS: user@realm!id:secret
  const sep = remote.type === 'pve' ? value.lastIndexOf('=') : value.lastIndexOf(':');
  if (sep < 0) return 'malformed';
  return { tokenid: value.slice(0, sep), secret: value.slice(sep + 1) };
}

export function checkToken(remote: RemoteState, tokenid: string, secret: string): Principal | null {
  const p = remote.principals.find((x) => x.kind === 'token' && x.authid === tokenid);
  return p && safeEqual(p.secret, secret) ? p : null;
}

export function checkPassword(remote: RemoteState, username: string, password: string, realm?: string): Principal | null {
  const user = realm && !username.includes('@') ? `${username}@${realm}` : username;
  const p = remote.principals.find((x) => x.kind === 'password' && x.authid === user);
  return p && safeEqual(p.secret, password) ? p : null;
}

const TICKET_LIFETIME_S = 7200;

function sign(remote: RemoteState, data: string): string {
  return createHmac('sha256', remote.ticketKey).update(data).digest('base64');
}

const prefix = (remote: RemoteState) => (remote.type === 'pve' ? 'PVE' : 'PBS');

/** `PVE:user@realm:HEXTIME::signature` — the shape of a real ticket (the signature is an HMAC here). */
export function makeTicket(remote: RemoteState, userid: string, nowS: number): string {
  const data = `${prefix(remote)}:${userid}:${nowS.toString(16).toUpperCase().padStart(8, '0')}`;
  return `${data}::${sign(remote, data)}`;
}

export function makeCsrf(remote: RemoteState, userid: string, nowS: number): string {
  const t = nowS.toString(16).toUpperCase().padStart(8, '0');
  return `${t}:${sign(remote, `${t}:${userid}`).replace(/=+$/, '')}`;
}

/** The ticket's user when valid at the node's time `nowS`, and not issued before `notBefore`. */
export function verifyTicket(remote: RemoteState, ticket: string, nowS: number, notBeforeS = 0): { userid: string; time: number } | null {
  const m = /^([A-Z]+):([^:]+):([0-9A-F]{8})::(.+)$/.exec(ticket);
  if (!m || m[1] !== prefix(remote)) return null;
  const data = `${m[1]}:${m[2]}:${m[3]}`;
  if (!safeEqual(sign(remote, data), m[4]!)) return null;
  const time = parseInt(m[3]!, 16);
  const age = nowS - time;
  // pve-access-control: tickets from up to 5 min in the future (clock drift) up to 2 h old.
  if (age < -300 || age > TICKET_LIFETIME_S || time < notBeforeS) return null;
  return { userid: m[2]!, time };
}

export function verifyCsrf(remote: RemoteState, token: string | undefined, userid: string, nowS: number): boolean {
  if (!token) return false;
  const m = /^([0-9A-F]{8}):(.+)$/.exec(token);
  if (!m) return false;
  const age = nowS - parseInt(m[1]!, 16);
  if (age < -300 || age > TICKET_LIFETIME_S) return false;
  return safeEqual(sign(remote, `${m[1]}:${userid}`).replace(/=+$/, ''), m[2]!);
}

// ---- the schema's permission checks -----------------------------------------------------------

type PveCheck = unknown[];
interface PbsPerm {
  check?: { path: string[]; privs: string[]; partial?: boolean };
  and?: PbsPerm[];
  or?: PbsPerm[];
  userParam?: string;
  user?: string;
}

function fill(path: string, params: Record<string, unknown>): string {
  return path.replace(/\{([^}]+)\}/g, (_m, k: string) => String(params[k] ?? ''));
}

/**
 * Evaluates an operation's `permissions` from the schema: PVE's `check` arrays
 * (`['perm', path, [privs], 'any', 1]`, `['and', …]`, `['or', …]`) and PBS's
 * `{check: {path, privs, partial}}` trees. Returns the failing (path, privilege) or null.
 * `{user: 'all'}` and `{user: 'world'}` pass: the handler filters what it returns.
 */
export function checkPermissions(auth: Auth, perms: unknown, params: Record<string, unknown>): { path: string; privs: string[] } | null {
  if (!perms || typeof perms !== 'object') return null;
  const p = perms as { check?: unknown; user?: string; and?: unknown; or?: unknown };
  if (auth.remote.type === 'pve') {
    if (!Array.isArray(p.check)) return null;
    return pveCheck(auth, p.check as PveCheck, params);
  }
  return pbsCheck(auth, p as PbsPerm, params);
}

function pveCheck(auth: Auth, c: PveCheck, params: Record<string, unknown>): { path: string; privs: string[] } | null {
  const [op, ...rest] = c;
  if (op === 'perm') {
    const path = fill(String(rest[0]), params);
    const privs = (rest[1] as string[]) ?? [];
    const any = rest[2] === 'any';
    return auth.has(path, privs, any) ? null : { path, privs };
  }
  if (op === 'and') {
    for (const sub of rest) {
      const f = pveCheck(auth, sub as PveCheck, params);
      if (f) return f;
    }
    return null;
  }
  if (op === 'or') {
    let first: { path: string; privs: string[] } | null = null;
    for (const sub of rest) {
      const f = pveCheck(auth, sub as PveCheck, params);
      if (!f) return null;
      first ??= f;
    }
    return first;
  }
  if (op === 'userid-param') return params.userid === undefined || params.userid === auth.principal.userid ? null : { path: '/access', privs: ['User.Modify'] };
  return null;
}

function pbsCheck(auth: Auth, p: PbsPerm, params: Record<string, unknown>): { path: string; privs: string[] } | null {
  if (p.check) {
    const path = '/' + p.check.path.map((s) => fill(s, params)).join('/');
    const ok = p.check.partial ? auth.hasBelow(path, p.check.privs) : auth.has(path, p.check.privs, true);
    return ok ? null : { path, privs: p.check.privs };
  }
  if (p.and) {
    for (const sub of p.and) {
      const f = pbsCheck(auth, sub, params);
      if (f) return f;
    }
    return null;
  }
  if (p.or) {
    let first: { path: string; privs: string[] } | null = null;
    for (const sub of p.or) {
      const f = pbsCheck(auth, sub, params);
      if (!f) return null;
      first ??= f;
    }
    return first;
  }
  if (p.userParam) return params[p.userParam] === undefined || params[p.userParam] === auth.principal.userid ? null : { path: '/access/users', privs: ['Permissions.Modify'] };
  return null;
}

export type { PveState, PbsState };
