// The ticket-signing key file: one hex key per line, the first signs, every line verifies.
// Rotation: put a new key on the first line and keep the old one below it for a ticket
// lifetime (2 h), then drop it. Created 0600 at first start; refused if others may read it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { KEY_BYTES, readKeyFile } from '../../common/key-file.ts';

export class TicketKeys {
  private constructor(private readonly keys: Buffer[]) {}

  static fromKeys(keys: Buffer[]): TicketKeys {
    if (keys.length === 0 || keys.some((k) => k.length !== KEY_BYTES)) throw new Error(`ticket keys have ${KEY_BYTES} bytes`);
    return new TicketKeys(keys);
  }

  static loadOrCreate(file: string): TicketKeys {
    return new TicketKeys(readKeyFile(file, { create: true }));
  }

  /** base64url HMAC-SHA256 with the current key. */
  sign(text: string): string {
    return createHmac('sha256', this.keys[0]!).update(text).digest('base64url');
  }

  /**
   * Whether `sig` was made by any of the keys (current or rotated out), in the one encoding
   * sign() gives: base64url's last character carries padding bits, and Node's decoder ignores
   * them and anything not base64url, so other spellings of a valid signature would pass.
   */
  verify(text: string, sig: string): boolean {
    const given = Buffer.from(sig, 'base64url');
    if (given.toString('base64url') !== sig) return false;
    return this.keys.some((k) => {
      const want = createHmac('sha256', k).update(text).digest();
      return want.length === given.length && timingSafeEqual(want, given);
    });
  }
}
