// Socket activation as systemd does it: the listening socket is fd 3 and LISTEN_FDS=1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, linkSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Logger } from '../../daemons/common/log.ts';
import { PrivdClient } from '../../daemons/api/privd-client.ts';
import { selfSignedCertificate } from '../../daemons/common/certificate.ts';
import { request } from '../harness/https.ts';
import { DIST } from '../harness/stack.ts';

const asRoot = process.getuid?.() === 0;

function fdOf(server: net.Server): number {
  return (server as unknown as { _handle: { fd: number } })._handle.fd;
}

async function listening(server: net.Server, ...args: unknown[]): Promise<void> {
  await new Promise<void>((resolve) => server.listen(...(args as []), () => resolve()));
}

test('steward-api and steward-privd serve on sockets passed by systemd', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steward-sd-'));
  chmodSync(dir, 0o755);
  const pair = selfSignedCertificate({ hostname: 'localhost' });
  writeFileSync(join(dir, 'api.pem'), pair.cert);
  writeFileSync(join(dir, 'api.key'), pair.key);
  const privdPath = join(dir, 'privd.sock');
  // The configured port and socket path are deliberately unusable: only the passed sockets work.
  const conf = join(dir, 'steward.conf');
  writeFileSync(conf, [`DATA_DIR=${join(dir, 'data')}`, `CERT_FILE=${join(dir, 'api.pem')}`, `KEY_FILE=${join(dir, 'api.key')}`,
    `PRIVD_SOCKET=${privdPath}`, `CREDENTIAL_KEY_FILE=${join(dir, 'credential.key')}`, `TICKET_KEY_FILE=${join(dir, 'ticket.key')}`, 'PORT=1', 'LISTEN_ADDRESS=192.0.2.1', `WEB_ROOT=${dir}`].join('\n'));
  if (asRoot) for (const f of [dir, join(dir, 'api.key'), join(dir, 'api.pem')]) chownSync(f, 65534, 65534);

  const tcp = net.createServer();
  await listening(tcp, 0, '127.0.0.1');
  const unix = net.createServer();
  await listening(unix, privdPath);
  chmodSync(privdPath, 0o666);
  const env = { STEWARD_CONFIG: conf, LISTEN_FDS: '1', PATH: '/usr/bin:/bin' };
  const privd = spawn(process.execPath, [join(DIST, 'lib', 'steward-privd.mjs'), '--dev'], { env, stdio: ['ignore', 'pipe', 'pipe', fdOf(unix)] });
  const api = spawn(process.execPath, [join(DIST, 'lib', 'steward-api.mjs')], {
    env, stdio: ['ignore', 'pipe', 'pipe', fdOf(tcp)], ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  let apiLog = '';
  api.stderr!.on('data', (d) => (apiLog += d));
  try {
    // Close the parent's copies so only the children accept on the sockets. Closing a UNIX
    // socket server unlinks its path, so connect through a hard link to the same socket.
    const privdLink = join(dir, 'privd-link.sock');
    linkSync(privdPath, privdLink);
    const port = (tcp.address() as AddressInfo).port;
    tcp.close();
    unix.close();
    let res;
    for (let i = 0; i < 200 && !res; i++) {
      res = await request(`https://127.0.0.1:${port}/api2/json/version`).catch(() => undefined);
      if (!res) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(res?.status, 200, apiLog);
    assert.match(apiLog, /steward-api listening/);
    const client = PrivdClient.forSocket(privdLink, new Logger(), 5000);
    const info = await client.call('system.info', {}, { user: 'sd-test' });
    assert.ok(info.hostname);
    client.close();
  } finally {
    api.kill('SIGTERM');
    privd.kill('SIGTERM');
    await Promise.all([new Promise((r) => api.on('exit', r)), new Promise((r) => privd.on('exit', r))]);
    rmSync(dir, { recursive: true, force: true });
  }
});
