// Remote credentials (other systems' API tokens and passwords) are encrypted at rest with
// AES-256-GCM under a key file readable only by the API user, so a copy of the database or
// a diagnostic bundle does not leak them. The remote id and credential name are bound in
// as associated data: a ciphertext copied onto another remote or credential fails to open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KEY_BYTES, readKeyFile } from '../../common/key-file.ts';

const IV_BYTES = 12;
const PREFIX = 'v1';

export class CredentialKey {
  private constructor(private readonly key: Buffer) {}

  static fromBytes(key: Buffer): CredentialKey {
    if (key.length !== KEY_BYTES) throw new Error(`a credential key has ${KEY_BYTES} bytes`);
    return new CredentialKey(key);
  }

  /** Reads the key file (created 0600 at first start); the first key encrypts and decrypts. */
  static loadOrCreate(file: string): CredentialKey {
    return new CredentialKey(readKeyFile(file, { create: true })[0]!);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [PREFIX, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ct.toString('base64')].join(':');
  }

  open(sealed: string, context: string): string {
    const [prefix, iv, tag, ct] = sealed.split(':');
    if (prefix !== PREFIX || !iv || !tag || ct === undefined) throw new Error('not a sealed credential');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]).toString('utf8');
  }
}
