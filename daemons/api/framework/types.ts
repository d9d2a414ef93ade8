// Types shared by the route framework and the middleware that fills its hooks.
import type { Context } from 'hono';
import type { Logger } from '../../common/log.ts';

/** The three roles as privileges a route can require (DESIGN §4): audit < manage < admin. */
export type Privilege = 'audit' | 'manage' | 'admin';

export type Permission =
  /** Anyone, without credentials (version, ping, login). */
  | { public: true }
  /** Any authenticated user or token; the handler filters what it returns by ACL. */
  | { authenticated: true; description: string }
  /**
   * The privilege on an ACL path; `{param}` placeholders are filled from the path parameters.
   * With `self`, a user logged in with a ticket also passes when the named path parameter is
   * their own user id (own password, tokens, second factors — as Proxmox's `userParam`).
   */
  | {
      path: string;
      privilege: Privilege;
      self?: string;
      /**
       * Also passes with the privilege on a saved view (`/views/{id}`) whose filter includes
       * this resource of the remote named by `{remote}` — per guest, not per remote. A template
       * of the resource id (`qemu/{vmid}`), or `task/{upid}` for the guest a task acts on.
       */
      viewResource?: string;
    };

/** Who is calling, established by the authentication hook. */
export interface AuthInfo {
  userid: string;
  /** Set for API-token requests: `user@realm!name`. */
  tokenid?: string;
  kind: 'ticket' | 'token';
}

export interface AuditEvent {
  action: string;
  auth: AuthInfo | null;
  ip: string;
  userAgent?: string;
  target?: string;
  result: 'ok' | 'error' | 'denied';
  error?: string;
  code?: string;
  requestId: string;
}

/**
 * Filled by the access-control layer. Until it is, `authenticate` finds nobody and every
 * non-public route answers 401.
 */
export interface AccessHooks {
  /** Returns the caller, null when no credentials were presented; throws ApiError for bad ones. */
  authenticate(c: Context<AppEnv>): Promise<AuthInfo | null>;
  /** Whether the caller holds `privilege` on the concrete ACL path. */
  authorize(auth: AuthInfo, aclPath: string, privilege: Privilege): Promise<boolean> | boolean;
  /** Records an audited route call. */
  audit(event: AuditEvent): Promise<void> | void;
}

export interface AppVariables {
  requestId: string;
  log: Logger;
  clientIp: string;
  auth: AuthInfo | null;
}

export interface AppEnv {
  Variables: AppVariables;
}
