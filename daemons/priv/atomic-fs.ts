// Atomic file replacement with explicit owner and mode: write a temp file beside the
// target (same filesystem), fsync it, set mode/owner, rename over the target, fsync the dir.
import { randomBytes } from 'node:crypto';
import { open, rename, unlink, chown } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  mode: number;
  uid?: number;
  gid?: number;
}

export async function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', opts.mode);
  try {
    await fh.writeFile(data);
    await fh.chmod(opts.mode);
    if (opts.uid !== undefined || opts.gid !== undefined) await chown(tmp, opts.uid ?? -1, opts.gid ?? -1);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
