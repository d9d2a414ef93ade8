// Secret key files (ticket signing, credential encryption): 32-byte keys as hex, one per
// line (the first is current; later lines are rotated-out keys still accepted), comments
// with #. Created 0600 when missing; refused when others may read them.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const KEY_BYTES = 32;

/** The text of a new key file: one fresh key. */
export function newKeyFileText(): string {
  return randomBytes(KEY_BYTES).toString('hex') + '\n';
}

export function readKeyFile(file: string, opts: { create: boolean }): Buffer[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (!opts.create || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    text = newKeyFileText();
    writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  }
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) throw new Error(`${file} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
  const keys = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => Buffer.from(l, 'hex'));
  if (keys.length === 0 || keys.some((k) => k.length !== KEY_BYTES)) throw new Error(`${file} must hold ${KEY_BYTES}-byte hex keys, one per line`);
  return keys;
}
