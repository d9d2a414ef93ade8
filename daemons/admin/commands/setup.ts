// setup: creates what the daemons need and must not create themselves (the API may not
// write /etc/steward): the self-signed certificate and key, the ticket-signing key and the
// credential key, each only when missing, with the owner and mode the packaged units expect.
// Run by the package's postinst as root; idempotent.
import { newKeyFileText } from '../../common/key-file.ts';
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../common/config.ts';
import { selfSignedCertificate } from '../../common/certificate.ts';
import { groupId, userId } from '../../priv/users.ts';
import type { Command } from '../command.ts';

interface Owner { uid: number; gid: number }

function create(path: string, data: string, mode: number, owner: Owner | undefined): boolean {
  if (existsSync(path)) return false;
  mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
  writeFileSync(path, data, { mode, flag: 'wx' });
  if (owner) chownSync(path, owner.uid, owner.gid);
  console.log(`created ${path}`);
  return true;
}

export const commands: Command[] = [
  {
    name: ['setup'],
    usage: 'setup [--user NAME]',
    help: 'Create the missing self-signed certificate, ticket and credential keys (run by the package).',
    run(args) {
      const { values } = parseArgs({ args, options: { user: { type: 'string', default: 'steward' } }, strict: true });
      const config = loadConfig();
      const asRoot = process.getuid?.() === 0;
      let api: Owner | undefined;
      if (asRoot) {
        const uid = userId(values.user);
        const gid = groupId(values.user);
        if (uid === undefined || gid === undefined) {
          console.error(`steward-admin: no user/group '${values.user}'`);
          return 1;
        }
        api = { uid, gid };
      }
      const root = asRoot ? { uid: 0, gid: 0 } : undefined;
      const readableByApi = api ? { uid: 0, gid: api.gid } : undefined;
      const haveCert = existsSync(config.CERT_FILE);
      if (haveCert !== existsSync(config.KEY_FILE)) {
        console.error(`steward-admin: only one of ${config.CERT_FILE} and ${config.KEY_FILE} exists; not creating the other`);
      } else if (!haveCert) {
        const fqdn = os.hostname();
        const pair = selfSignedCertificate({ hostname: fqdn, altNames: [fqdn.split('.')[0]!] });
        create(config.KEY_FILE, pair.key, 0o640, readableByApi);
        create(config.CERT_FILE, pair.cert, 0o644, root);
      }
      create(config.TICKET_KEY_FILE, newKeyFileText(), 0o600, api);
      create(config.CREDENTIAL_KEY_FILE, newKeyFileText(), 0o600, api);
      return 0;
    },
  },
];
