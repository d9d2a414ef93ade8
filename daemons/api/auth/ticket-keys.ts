// The ticket-signing key file: one hex key per line, the first signs, every line verifies.
// Rotation: put a new key on the first line and keep the old one below it for a ticket
// lifetime (2 h), then drop it. Created 0600 at first start; refused if others may read it.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const KEY_BYTES = 32;

export class TicketKeys {
  private constructor(private readonly keys: Buffer[]) {}

  static fromKeys(keys: Buffer[]): TicketKeys {
    if (keys.length === 0 || keys.some((k) => k.length !== KEY_BYTES)) throw new Error(`ticket keys have ${KEY_BYTES} bytes`);
    return new TicketKeys(keys);
  }

  static loadOrCreate(file: string): TicketKeys {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      text = randomBytes(KEY_BYTES).toString('hex') + '\n';
      writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
    }
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) throw new Error(`${file} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
    const keys = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => Buffer.from(l, 'hex'));
    if (keys.length === 0 || keys.some((k) => k.length !== KEY_BYTES)) throw new Error(`${file} must hold ${KEY_BYTES}-byte hex keys, one per line`);
    return new TicketKeys(keys);
  }

  /** base64url HMAC-SHA256 with the current key. */
  sign(text: string): string {
    return createHmac('sha256', this.keys[0]!).update(text).digest('base64url');
  }

  /** Whether `sig` was made by any of the keys (current or rotated out). */
  verify(text: string, sig: string): boolean {
    const given = Buffer.from(sig, 'base64url');
    return this.keys.some((k) => {
      const want = createHmac('sha256', k).update(text).digest();
      return want.length === given.length && timingSafeEqual(want, given);
    });
  }
}
