// Users of the built-in `steward` realm. The stored record holds the password hash; the
// wire form never does.
import { z } from 'zod';
import { comment, userid as useridFormat } from '../../../shared/formats.ts';
import { ApiError } from '../../../shared/errors.ts';
import type { Collection, Entry, Store } from '../store/store.ts';
import { versionDigest } from '../store/store.ts';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password.ts';

export const REALM = 'steward';

export interface StoredUser {
  userid: string;
  /** PHC scrypt string. */
  password: string;
  enable: boolean;
  /** Account expiry, epoch seconds; 0 = never. */
  expire: number;
  firstname?: string;
  lastname?: string;
  email?: string;
  comment?: string;
  /** Groups of users this user belongs to (ACL entries can name a group). */
  groups: string[];
  /** Require a second factor for this user (also a global setting). */
  'tfa-required'?: boolean;
  /** Tickets issued before this epoch second are void (password change, disable). */
  'tickets-after'?: number;
  created: number;
}

export const groupName = z.string().min(2).max(32).regex(/^[A-Za-z][A-Za-z0-9._-]*$/, 'must start with a letter and contain letters, digits, ".", "_", "-"');

export const steward_userid = useridFormat.refine((u) => u.endsWith(`@${REALM}`), `only the built-in realm "@${REALM}" exists`);

export const newPassword = z.string().min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`).max(MAX_PASSWORD_LENGTH).regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

export const UserSchema = z.object({
  userid: z.string(),
  enable: z.boolean(),
  expire: z.number().int(),
  firstname: z.string().optional(),
  lastname: z.string().optional(),
  email: z.string().optional(),
  comment: z.string().optional(),
  groups: z.array(z.string()),
  'tfa-required': z.boolean(),
  digest: z.string(),
});

export function userToWire(e: Entry<StoredUser>): z.input<typeof UserSchema> {
  const u = e.value;
  return {
    userid: u.userid, enable: u.enable, expire: u.expire, groups: u.groups,
    ...(u.firstname ? { firstname: u.firstname } : {}),
    ...(u.lastname ? { lastname: u.lastname } : {}),
    ...(u.email ? { email: u.email } : {}),
    ...(u.comment ? { comment: u.comment } : {}),
    'tfa-required': u['tfa-required'] ?? false,
    digest: versionDigest(e.version),
  };
}

export const userFields = {
  enable: z.boolean().optional(),
  expire: z.coerce.number().int().min(0).max(2 ** 40).optional(),
  firstname: z.string().max(64).optional(),
  lastname: z.string().max(64).optional(),
  email: z.email().max(254).optional(),
  comment: comment.optional(),
  groups: z.array(groupName).max(32).optional(),
  'tfa-required': z.boolean().optional(),
};

export class UserRepo {
  readonly users: Collection<StoredUser>;
  /** `cost`: scrypt's log2(N); lowered only by tests, which hash many passwords. */
  constructor(store: Store, private readonly cost?: number) {
    this.users = store.collection<StoredUser>('users');
  }

  get(userid: string): Entry<StoredUser> | undefined {
    return this.users.get(userid);
  }

  require(userid: string): Entry<StoredUser> {
    const e = this.get(userid);
    if (!e) throw new ApiError('not_found', `no such user '${userid}'`);
    return e;
  }

  list(): Entry<StoredUser>[] {
    return this.users.list();
  }

  /** Whether the account may log in or use its tokens right now. */
  static active(u: StoredUser, nowS: number): boolean {
    return u.enable && (u.expire === 0 || u.expire > nowS);
  }

  async create(fields: Omit<StoredUser, 'password' | 'created' | 'groups'> & { password: string; groups?: string[] }, nowS: number): Promise<void> {
    const { password, ...rest } = fields;
    await this.users.create(fields.userid, { ...rest, groups: fields.groups ?? [], password: await hashPassword(password, this.cost), created: nowS });
  }

  async setPassword(userid: string, password: string, nowS: number): Promise<void> {
    const e = this.require(userid);
    await this.users.update(userid, { ...e.value, password: await hashPassword(password, this.cost), 'tickets-after': nowS }, e.version);
  }
}
