// Starts Debian's Pebble (a test ACME CA) and pebble-challtestsrv (its fake DNS) on free
// loopback ports, with our own TLS certificate for Pebble's directory. Domains resolve only
// when added with `addA` (default A/AAAA answers are switched off), so an unknown domain
// fails validation quickly. http-01 validation goes to `httpPort` (privd's responder there).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from '../../daemons/common/certificate.ts';

export const PEBBLE = '/usr/bin/pebble';
export const CHALLTESTSRV = '/usr/bin/pebble-challtestsrv';

/** A free loopback port (pebble cannot listen on port 0): bind, read, close. */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface Pebble {
  directory: string;
  /** PEM of the CA that signed Pebble's listener certificate (trust it for the directory). */
  listenerCa: string;
  blocked: string;
  /** challtestsrv's management URL (set-txt / clear-txt for dns-01 hooks). */
  dnsManagement: string;
  addA(host: string, address?: string): Promise<void>;
  stop(): Promise<void>;
}

async function waitListening(port: number, child: ChildProcess, out: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${child.spawnfile} exited: ${out()}`);
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); });
      s.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${child.spawnfile} did not listen on ${port}: ${out()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function run(file: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(file, args, { env: { PATH: '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, out: () => out.slice(-4000) };
}

export async function startPebble(opts: { httpPort: number }): Promise<Pebble> {
  // The Makefile installs Debian's pebble for every target that runs these tests: missing, it fails loudly.
  if (!existsSync(PEBBLE)) throw new Error(`${PEBBLE} is missing: run the tests through make (it installs Debian's pebble)`);
  const dir = mkdtempSync(join(tmpdir(), 'steward-pebble-'));
  const [listen, mgmt, dns, dnsMgmt, tlsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const tls = selfSignedCertificate({ hostname: 'localhost', altNames: ['127.0.0.1'] });
  writeFileSync(join(dir, 'cert.pem'), tls.cert);
  writeFileSync(join(dir, 'key.pem'), tls.key);
  const blocked = 'blocked.example.test';
  writeFileSync(join(dir, 'pebble.json'), JSON.stringify({
    pebble: {
      listenAddress: `127.0.0.1:${listen}`,
      managementListenAddress: `127.0.0.1:${mgmt}`,
      certificate: join(dir, 'cert.pem'),
      privateKey: join(dir, 'key.pem'),
      httpPort: opts.httpPort,
      tlsPort,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
      domainBlocklist: [blocked],
    },
  }));
  const cts = run(CHALLTESTSRV, ['-defaultIPv4', '', '-defaultIPv6', '', '-dns01', `127.0.0.1:${dns}`, '-http01', '', '-https01', '', '-tlsalpn01', '', '-management', `127.0.0.1:${dnsMgmt}`]);
  const pebble = run(PEBBLE, ['-config', join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${dns}`], { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' });
  const stop = async () => {
    for (const p of [pebble.child, cts.child]) {
      if (p.exitCode === null && p.signalCode === null) {
        p.kill('SIGTERM');
        await new Promise((r) => p.once('exit', r));
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitListening(dnsMgmt, cts.child, cts.out);
    await waitListening(listen, pebble.child, pebble.out);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    directory: `https://localhost:${listen}/dir`,
    listenerCa: tls.cert,
    blocked,
    dnsManagement: `http://127.0.0.1:${dnsMgmt}`,
    async addA(host, address = '127.0.0.1') {
      const r = await fetch(`http://127.0.0.1:${dnsMgmt}/add-a`, { method: 'POST', body: JSON.stringify({ host, addresses: [address] }) });
      if (!r.ok) throw new Error(`challtestsrv add-a: ${r.status}`);
    },
    stop,
  };
}
