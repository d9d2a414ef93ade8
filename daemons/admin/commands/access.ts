// Access control on the host: create users and reset passwords, unlock TFA, edit the IP
// allowlist after a lock-out, verify the audit log, list tokens. Works with the API down;
// every change is recorded in the audit log as done by steward-admin.
import { randomBytes } from 'node:crypto';
import { chownSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../common/config.ts';
import { Logger } from '../../common/log.ts';
import { AccessControl } from '../../api/auth/access-control.ts';
import { cidrText, parseCidr } from '../../api/auth/network.ts';
import { TicketKeys } from '../../api/auth/ticket-keys.ts';
import { newPassword, REALM } from '../../api/auth/users.ts';
import { Store } from '../../api/store/store.ts';
import type { Command } from '../command.ts';

const ACTOR = { user: 'steward-admin', ip: 'local' };

/** Opens the store and the access service; hands files back to the data directory's owner. */
async function withAccess<T>(fn: (ac: AccessControl) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = await Store.open(config.DATA_DIR);
  // steward-admin never signs tickets: a throw-away key keeps it away from the real key file.
  const ac = new AccessControl(store, () => config, new Logger(), { keys: TicketKeys.fromKeys([randomBytes(32)]) });
  try {
    return await fn(ac);
  } finally {
    await store.close();
    if (process.getuid?.() === 0) {
      const { uid, gid } = statSync(config.DATA_DIR);
      for (const f of readdirSync(config.DATA_DIR, { recursive: true }) as string[]) chownSync(join(config.DATA_DIR, f), uid, gid);
    }
  }
}

async function readStdinLine(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.length > 4096) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

const fullUserid = (name: string) => (name.includes('@') ? name : `${name}@${REALM}`);

async function passwordFrom(stdin: boolean | undefined): Promise<{ password: string; generated: boolean }> {
  if (stdin) return { password: await readStdinLine(), generated: false };
  return { password: randomBytes(12).toString('base64url'), generated: true };
}

function checkPassword(password: string): string | null {
  const r = newPassword.safeParse(password);
  return r.success ? null : `invalid password: ${r.error.issues[0]?.message}`;
}

export const commands: Command[] = [
  {
    name: ['user', 'create'],
    usage: 'user create NAME [--role Admin|Manage|Audit] [--password-stdin] [--email E] [--comment C]',
    help: 'Create a user (name@steward) with an optional role on /; prints a generated password unless --password-stdin.',
    async run(args) {
      const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { role: { type: 'string' }, 'password-stdin': { type: 'boolean' }, email: { type: 'string' }, comment: { type: 'string' } } });
      if (positionals.length !== 1) throw new Error('give exactly one user name');
      const userid = fullUserid(positionals[0]!);
      if (!userid.endsWith(`@${REALM}`) || !/^[^\s:/@!]+@steward$/.test(userid)) throw new Error(`not a user of the built-in realm: ${userid}`);
      const role = values.role;
      if (role !== undefined && !['Admin', 'Manage', 'Audit'].includes(role)) throw new Error('--role must be Admin, Manage or Audit');
      const { password, generated } = await passwordFrom(values['password-stdin']);
      const bad = checkPassword(password);
      if (bad) throw new Error(bad);
      await withAccess(async (ac) => {
        await ac.users.create({ userid, password, enable: true, expire: 0, ...(values.email ? { email: values.email } : {}), ...(values.comment ? { comment: values.comment } : {}) }, ac.nowS());
        if (role) await ac.acl.set({ path: '/', type: 'user', ugid: userid, roleid: role as 'Admin', propagate: true });
        ac.record({ action: 'user.create', result: 'ok', ...ACTOR, target: userid, reason: role ? `role ${role} on /` : undefined });
      });
      console.log(`created ${userid}${role ? ` with role ${role} on /` : ''}`);
      if (generated) console.log(`password: ${password}`);
      return 0;
    },
  },
  {
    name: ['user', 'passwd'],
    usage: 'user passwd NAME [--password-stdin]',
    help: 'Set a user’s password (prints a generated one unless --password-stdin); ends their sessions.',
    async run(args) {
      const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'password-stdin': { type: 'boolean' } } });
      if (positionals.length !== 1) throw new Error('give exactly one user name');
      const userid = fullUserid(positionals[0]!);
      const { password, generated } = await passwordFrom(values['password-stdin']);
      const bad = checkPassword(password);
      if (bad) throw new Error(bad);
      await withAccess(async (ac) => {
        await ac.users.setPassword(userid, password, ac.nowS());
        ac.record({ action: 'user.password', result: 'ok', ...ACTOR, target: userid });
      });
      console.log(`password of ${userid} changed`);
      if (generated) console.log(`password: ${password}`);
      return 0;
    },
  },
  {
    name: ['user', 'list'],
    usage: 'user list',
    help: 'List users with their state.',
    async run() {
      await withAccess(async (ac) => {
        for (const { value: u } of ac.users.list()) console.log(`${u.userid}\t${u.enable ? 'enabled' : 'disabled'}${u.expire ? `\texpires ${new Date(u.expire * 1000).toISOString()}` : ''}`);
      });
      return 0;
    },
  },
  {
    name: ['tfa', 'unlock'],
    usage: 'tfa unlock NAME',
    help: 'Clear a user’s TOTP and TFA lockouts.',
    async run(args) {
      const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
      if (positionals.length !== 1) throw new Error('give exactly one user name');
      const userid = fullUserid(positionals[0]!);
      const was = await withAccess(async (ac) => {
        if (!ac.users.get(userid)) throw new Error(`no such user '${userid}'`);
        const r = await ac.tfa.unlock(userid);
        ac.record({ action: 'tfa.unlock', result: 'ok', ...ACTOR, target: userid });
        return r;
      });
      console.log(was ? `unlocked second factors of ${userid}` : `${userid} was not locked`);
      return 0;
    },
  },
  {
    name: ['allowlist'],
    usage: 'allowlist list|add CIDR|remove CIDR|clear',
    help: 'Show or edit the IP allowlist (empty = every address may connect).',
    async run(args) {
      const [op = 'list', arg, ...rest] = args;
      if (rest.length) throw new Error('too many arguments');
      return withAccess(async (ac) => {
        const cur = ac.settings.get().value.allowlist;
        let next: string[] | undefined;
        if (op === 'list') {
          console.log(cur.length ? cur.join('\n') : '(empty: every address may connect)');
          return 0;
        } else if (op === 'clear') {
          next = [];
        } else if (op === 'add' || op === 'remove') {
          const c = arg ? parseCidr(arg) : null;
          if (!c) throw new Error(`not an address or CIDR: ${arg ?? '(missing)'}`);
          const text = cidrText(c);
          if (op === 'add') next = cur.includes(text) ? cur : [...cur, text];
          else {
            if (!cur.includes(text)) throw new Error(`${text} is not in the allowlist`);
            next = cur.filter((x) => x !== text);
          }
        } else {
          throw new Error(`unknown allowlist operation '${op}'`);
        }
        await ac.settings.update({ allowlist: next });
        ac.record({ action: 'settings.allowlist', result: 'ok', ...ACTOR, target: `${op}${arg ? ` ${arg}` : ''}` });
        console.log(next.length ? `allowlist: ${next.join(', ')}` : 'allowlist cleared: every address may connect');
        return 0;
      });
    },
  },
  {
    name: ['audit', 'verify'],
    usage: 'audit verify',
    help: 'Check the audit log’s hash chain; exit 1 and say where if an entry was modified, removed or reordered.',
    async run() {
      const r = await withAccess(async (ac) => ac.auditLog.verify());
      if (r.ok) {
        console.log(`audit log OK: ${r.entries} entries${r.anchor ? ` after anchor ${r.anchor}` : ''}`);
        return 0;
      }
      console.error(`audit log TAMPERED at entry ${r.seq}: ${r.problem}`);
      return 1;
    },
  },
  {
    name: ['token', 'list'],
    usage: 'token list [NAME]',
    help: 'List API tokens (never their secrets), of one user or all.',
    async run(args) {
      const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
      await withAccess(async (ac) => {
        const users = positionals[0] ? [fullUserid(positionals[0])] : ac.users.list().map((e) => e.key);
        for (const u of users) {
          for (const e of ac.tokens.listFor(u)) {
            const t = e.value;
            const used = ac.tokens.lastUsed(t.tokenid);
            console.log([t.tokenid, t.enable ? 'enabled' : 'disabled', t.expire ? `expires ${new Date(t.expire * 1000).toISOString()}` : 'no expiry', t.privsep ? 'privsep' : 'full user rights', t.role ? `ceiling ${t.role}` : '', used ? `last used ${new Date(used * 1000).toISOString()}` : 'never used'].filter(Boolean).join('\t'));
          }
        }
      });
      return 0;
    },
  },
];
