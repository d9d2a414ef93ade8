// service.config: edits listen address, port and trusted proxies in steward.conf in place
// (comments and other keys kept), validates the whole result with the config schema,
// writes it atomically, then reloads steward-api (trusted proxies) or restarts its socket
// with a new ListenStream drop-in (address/port). A stale digest is a conflict.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ApiError } from '../../../shared/errors.ts';
import { ConfigError, configDigest, parseConfig } from '../../common/config.ts';
import type { Config } from '../../common/config.ts';
import { errnoCode } from '../../common/errors.ts';
import { daemonReload, signalApi } from '../api-control.ts';
import { writeFileAtomic } from '../atomic-fs.ts';
import type { MethodHandler } from '../method.ts';

export { configDigest };

/** Sets KEY=value: replaces the active line, else the commented default line, else appends. */
export function setKey(text: string, key: string, value: string): string {
  const active = new RegExp(`^${key}=.*$`, 'm');
  if (active.test(text)) return text.replace(active, `${key}=${value}`);
  const commented = new RegExp(`^#${key}=.*$`, 'm');
  if (commented.test(text)) return text.replace(commented, (line) => `${line}\n${key}=${value}`);
  return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${key}=${value}\n`;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return '';
    throw err;
  }
}

/** systemd's ListenStream= for an address and port ([v6]:port, v4:port, or all addresses). */
export function listenStream(address: string, port: number): string {
  if (address === '::' || address === '0.0.0.0') return String(port);
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export const serviceConfig: MethodHandler<'service.config'> = async (params, { env, log }) => {
  const file = env.configFile;
  const before = await readText(file);
  if (params.digest && params.digest !== configDigest(before)) throw new ApiError('conflict', 'steward.conf changed since it was read; reload and try again');

  const wanted: [keyof Config, string | undefined][] = [
    ['LISTEN_ADDRESS', params['listen-address']],
    ['PORT', params.port?.toString()],
    ['TRUSTED_PROXIES', params['trusted-proxies']?.join(',')],
  ];
  const current = env.config;
  let text = before;
  const changed: string[] = [];
  for (const [key, value] of wanted) {
    if (value === undefined) continue;
    const now = Array.isArray(current[key]) ? (current[key] as string[]).join(',') : String(current[key]);
    if (now === value) continue;
    text = setKey(text, key, value);
    changed.push(key);
  }
  if (changed.length === 0) return { changed, api: 'unchanged', digest: configDigest(before) };

  let next: Config;
  try {
    next = parseConfig(text, file);
  } catch (err) {
    if (err instanceof ConfigError) throw new ApiError('validation', err.problems.join('; ').slice(0, 1000));
    throw err;
  }
  await writeFileAtomic(file, text, { mode: 0o644, ...(process.getuid?.() === 0 ? { uid: 0, gid: 0 } : {}) });
  env.config = next;
  log.notice('steward.conf changed', { keys: changed.join(',') });

  const rebind = changed.includes('LISTEN_ADDRESS') || changed.includes('PORT');
  if (rebind && !next.API_PID_FILE) {
    // The socket unit owns the listening address: replace its ListenStream with a drop-in.
    await mkdir(dirname(next.API_SOCKET_DROPIN), { recursive: true, mode: 0o755 });
    await writeFileAtomic(
      next.API_SOCKET_DROPIN,
      `# Written by steward-privd from steward.conf (LISTEN_ADDRESS, PORT).\n[Socket]\nListenStream=\nListenStream=${listenStream(next.LISTEN_ADDRESS, next.PORT)}\n`,
      { mode: 0o644 },
    );
    await daemonReload(env);
  }
  return { changed, api: await signalApi(env, rebind ? 'restart' : 'reload'), digest: configDigest(text) };
};
