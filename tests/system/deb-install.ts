// The .deb in a clean Debian 13 root: install with apt in a chroot, check files, modes and
// owners, start both daemons the way their units do (systemd-socket-activate hands each its
// listening socket; privd as root, the API as the steward user with the unit's
// environment), talk HTTPS and the privd socket, upgrade to a newer build keeping the data,
// and purge. Run by `make test-deb` (root; the chroot root is cached under build/).
//
// Usage: node --import tsx --test tests/system/deb-install.ts   (DEB=build/steward_…deb)
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { request } from '../harness/https.ts';
import { parseUnit } from '../harness/stack.ts';
import { VERSION } from '../../shared/version.ts';

const REPO = resolve(import.meta.dirname, '../..');
const DEB = resolve(REPO, process.env.DEB ?? '');
const BASE_TAR = resolve(REPO, process.env.BASE_TAR ?? 'build/debian-trixie-nodejs-adduser-ca-certificates-libjemalloc2.tar');
const root = process.getuid?.() === 0;
const timings: Record<string, number> = {};
let dir = '';
let ROOT = '';
let procMounted = false;
const daemons: ChildProcess[] = [];

function timed<T>(name: string, fn: () => T): T {
  const t = performance.now();
  try {
    return fn();
  } finally {
    timings[name] = Math.round(performance.now() - t);
  }
}

function sh(cmd: string, args: string[], opts: { input?: string; allowFail?: boolean } = {}): string {
  const r = spawnSync(cmd, args, { input: opts.input ?? '', encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', DEBIAN_FRONTEND: 'noninteractive', LANG: 'C.UTF-8' }, maxBuffer: 64 << 20 });
  if (r.status !== 0 && !opts.allowFail) throw new Error(`${cmd} ${args.join(' ')} → ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout + r.stderr;
}
const inRoot = (args: string[], opts?: { input?: string; allowFail?: boolean }) => sh('chroot', [ROOT, ...args], opts);

function stat(path: string): { mode: string; owner: string } {
  const s = statSync(join(ROOT, path));
  const name = (id: number, file: string) => readFileSync(join(ROOT, file), 'utf8').split('\n').find((l) => l.split(':')[2] === String(id))?.split(':')[0] ?? String(id);
  return { mode: (s.mode & 0o7777).toString(8).padStart(4, '0'), owner: `${name(s.uid, 'etc/passwd')}:${name(s.gid, 'etc/group')}` };
}

const freePort = () => new Promise<number>((res) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as net.AddressInfo;
    s.close(() => res(port));
  });
});

/** Starts a command and waits until a line of its output matches. */
function start(name: string, cmd: string, args: string[], ready: RegExp): Promise<{ child: ChildProcess; lines: string[] }> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
  daemons.push(child);
  const lines: string[] = [];
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${name} did not start:\n${lines.join('\n')}`)), 20_000);
    const onData = (d: Buffer) => {
      lines.push(...d.toString().split('\n').filter(Boolean));
      if (lines.some((l) => ready.test(l))) {
        clearTimeout(timer);
        res({ child, lines });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`${name} exited with ${code}:\n${lines.join('\n')}`));
    });
  });
}

async function stopAll(): Promise<void> {
  await Promise.all(daemons.splice(0).map((c) => {
    if (c.exitCode !== null || c.signalCode !== null) return undefined;
    c.removeAllListeners('exit');
    const done = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    return done;
  }));
}

/**
 * Both daemons as their units run them: systemd-socket-activate binds the socket and starts
 * the daemon on the first connection, as the .socket units do; same user, same environment.
 */
async function startDaemons(): Promise<{ port: number; api: { child: ChildProcess; lines: string[] } }> {
  const sock = join(ROOT, 'run/steward/privd.sock');
  sh('mkdir', ['-p', join(ROOT, 'run/steward')]);
  rmSync(sock, { force: true });
  const privd = start('privd', 'systemd-socket-activate', ['-l', sock, ...asUnit('steward-privd.mjs', ['chroot', ROOT])], /Listening on/);
  // steward-privd.socket: SocketUser=root SocketGroup=steward SocketMode=0660.
  for (let i = 0; i < 200 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 25));
  const gid = Number(readFileSync(join(ROOT, 'etc/group'), 'utf8').split('\n').find((l) => l.startsWith('steward:'))!.split(':')[2]);
  chownSync(sock, 0, gid);
  chmodSync(sock, 0o660);
  await privd;
  const port = await freePort();
  const api = await start('api', 'systemd-socket-activate', ['-l', `127.0.0.1:${port}`, ...asUnit('steward-api.mjs', ['chroot', '--userspec=steward:steward', ROOT])], /Listening on/);
  return { port, api };
}

/** The pid once it runs node: systemd-socket-activate execs chroot (which execs node) on the first connection. */
async function nodeAt(pid: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    if (readlinkSync(`/proc/${pid}/exe`).endsWith('/usr/bin/node')) return pid;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${pid} runs ${readlinkSync(`/proc/${pid}/exe`)}, not node`);
}

/** The rest of a systemd-socket-activate command line that runs `file` as its installed unit does: its Environment= and Node flags. */
function asUnit(file: string, chroot: string[]): string[] {
  const { flags, env } = parseUnit(readFileSync(join(ROOT, 'usr/lib/systemd/system', file.replace(/\.mjs$/, '.service')), 'utf8'), file);
  return [...Object.entries(env).flatMap(([k, v]) => ['-E', `${k}=${v}`]), ...chroot, '/usr/bin/node', ...flags, `/usr/lib/steward/${file}`];
}

/** A JSON-RPC call on the privd socket from inside the root, as a given user. */
function privdCallAs(user: string): string {
  const js = `const s=require('net').connect('/run/steward/privd.sock');s.on('error',e=>{console.log('ERR '+e.code);process.exit(0)});s.on('data',d=>{console.log(String(d).trim());process.exit(0)});s.write(JSON.stringify({jsonrpc:'2.0',id:1,method:'system.info',params:{actor:{user:'install-test'},args:{}}})+'\\n')`;
  return sh('chroot', [`--userspec=${user}`, ROOT, '/usr/bin/node', '-e', js]);
}

/** A second build with a higher version: the same files, repacked. */
function newerBuild(): string {
  const x = join(dir, 'x');
  sh('dpkg-deb', ['-R', DEB, x]);
  const control = join(x, 'DEBIAN/control');
  writeFileSync(control, readFileSync(control, 'utf8').replace(/^Version: .*$/m, `Version: ${VERSION}+upgradetest1`));
  const out = join(dir, 'steward-newer.deb');
  sh('dpkg-deb', ['--root-owner-group', '-b', x, out]);
  return out;
}

before(() => {
  if (!root) return;
  assert.ok(existsSync(DEB), `DEB=${DEB} exists (make deb)`);
  assert.ok(existsSync(BASE_TAR), `${BASE_TAR} exists (make test-deb creates it)`);
  dir = mkdtempSync(join(REPO, 'build', 'deb-test-'));
  ROOT = join(dir, 'root');
  sh('mkdir', [ROOT]);
  timed('extract root', () => sh('tar', ['-C', ROOT, '-xf', BASE_TAR]));
  sh('mount', ['-t', 'proc', 'proc', join(ROOT, 'proc')]);
  procMounted = true;
  copyFileSync('/etc/resolv.conf', join(ROOT, 'etc/resolv.conf'));
  copyFileSync(DEB, join(ROOT, 'tmp/steward.deb'));
  copyFileSync(newerBuild(), join(ROOT, 'tmp/steward-newer.deb'));
});

after(async () => {
  await stopAll();
  if (procMounted) sh('umount', ['-l', join(ROOT, 'proc')], { allowFail: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (Object.keys(timings).length) process.stdout.write(`# deb install test timings (ms): ${JSON.stringify(timings)}\n`);
});

test('install, run, upgrade and purge the .deb in a clean Debian root', { skip: !root && 'needs root (chroot, mount)' }, async () => {
  // ---- install
  timed('apt install', () => inRoot(['apt-get', 'install', '-y', '-q', '--no-install-recommends', '/tmp/steward.deb']));
  assert.match(inRoot(['dpkg-query', '-W', '-f', '${Status} ${Version}', 'steward']), new RegExp(`install ok installed ${VERSION.replace(/\./g, '\\.')}$`));
  const expect: Record<string, { mode: string; owner: string }> = {
    'var/lib/steward': { mode: '0700', owner: 'steward:steward' },
    'etc/steward': { mode: '0750', owner: 'root:steward' },
    'etc/steward/steward.conf': { mode: '0644', owner: 'root:root' },
    'etc/steward/api.pem': { mode: '0644', owner: 'root:root' },
    'etc/steward/api.key': { mode: '0640', owner: 'root:steward' },
    'etc/steward/ticket.key': { mode: '0600', owner: 'steward:steward' },
    'etc/steward/credential.key': { mode: '0600', owner: 'steward:steward' },
    'usr/sbin/steward-admin': { mode: '0755', owner: 'root:root' },
    'usr/lib/steward/steward-api.mjs': { mode: '0644', owner: 'root:root' },
    'usr/lib/systemd/system/steward-api.socket': { mode: '0644', owner: 'root:root' },
    'usr/lib/systemd/system/steward-privd.service': { mode: '0644', owner: 'root:root' },
    'usr/share/steward/www/index.html': { mode: '0644', owner: 'root:root' },
  };
  for (const [path, want] of Object.entries(expect)) assert.deepEqual(stat(path), want, path);
  assert.ok(existsSync(join(ROOT, 'usr/lib/steward/node_modules/lmdb/package.json')));
  assert.ok(lstatSync(join(ROOT, 'etc/systemd/system/sockets.target.wants/steward-api.socket')).isSymbolicLink(), 'units enabled for the next boot');
  assert.match(inRoot(['getent', 'passwd', 'steward']), /^steward:x:\d+:\d+:.*:\/var\/lib\/steward:\/usr\/sbin\/nologin/);
  assert.match(inRoot(['/usr/sbin/steward-admin', 'config', 'check']), /steward\.conf: OK/);

  // ---- run
  const { port, api } = await timed('start daemons', () => startDaemons());
  const url = `https://127.0.0.1:${port}`;
  const version = await request(`${url}/api2/json/version`);
  assert.equal(version.status, 200);
  assert.equal(version.json<{ data: { version: string } }>().data.version, VERSION);
  // The unit preloads jemalloc (a dependency of the package), which returns freed memory to the system.
  assert.match(readFileSync(`/proc/${await nodeAt(api.child.pid!)}/maps`, 'utf8'), /libjemalloc\.so\.2/, 'the API runs with jemalloc');
  const fingerprint = version.fingerprint;
  assert.equal(stat('var/lib/steward/steward.lmdb').owner, 'steward:steward', 'the API created its database as steward');

  // The privd socket is the authentication: the steward group gets answers, others cannot connect.
  assert.match(privdCallAs('steward:steward'), /"result":\{"hostname"/);
  assert.match(privdCallAs('nobody:nogroup'), /ERR EACCES/);

  // The first administrator, made on the host as the admin guide says; a route through privd.
  inRoot(['/usr/sbin/steward-admin', 'user', 'create', 'admin@steward', '--role', 'Admin', '--password-stdin'], { input: 'install-test-Pa55word!\n' });
  const login = await request(`${url}/api2/json/access/ticket`, { method: 'POST', body: { username: 'admin@steward', password: 'install-test-Pa55word!' } });
  assert.equal(login.status, 200, login.text);
  const { ticket } = login.json<{ data: { ticket: string } }>().data;
  const anonymous = await request(`${url}/api2/json/system/status`);
  assert.equal(anonymous.status, 401, 'the privd route is guarded');
  const status = await request(`${url}/api2/json/system/status`, { headers: { cookie: `StewardAuthCookie=${encodeURIComponent(ticket)}` } });
  assert.equal(status.status, 200, status.text);
  assert.ok(status.json<{ data: { hostname: string } }>().data.hostname);
  writeFileSync(join(ROOT, 'var/lib/steward/upgrade-marker'), 'kept\n');
  const keysBefore = ['api.key', 'ticket.key', 'credential.key'].map((f) => readFileSync(join(ROOT, 'etc/steward', f), 'utf8'));
  await stopAll();

  // ---- upgrade: data, keys and certificate survive; the new build runs with them
  timed('apt upgrade', () => inRoot(['apt-get', 'install', '-y', '-q', '/tmp/steward-newer.deb']));
  assert.match(inRoot(['dpkg-query', '-W', '-f', '${Version}', 'steward']), /\+upgradetest1$/);
  assert.equal(readFileSync(join(ROOT, 'var/lib/steward/upgrade-marker'), 'utf8'), 'kept\n');
  assert.deepEqual(['api.key', 'ticket.key', 'credential.key'].map((f) => readFileSync(join(ROOT, 'etc/steward', f), 'utf8')), keysBefore);
  assert.equal(stat('var/lib/steward').mode, '0700');
  const again = await startDaemons();
  const v2 = await request(`https://127.0.0.1:${again.port}/api2/json/version`);
  assert.equal(v2.status, 200);
  assert.equal(v2.fingerprint, fingerprint, 'same certificate after the upgrade');
  const relogin = await request(`https://127.0.0.1:${again.port}/api2/json/access/ticket`, { method: 'POST', body: { username: 'admin@steward', password: 'install-test-Pa55word!' } });
  assert.equal(relogin.status, 200, 'the user created before the upgrade still logs in');
  await stopAll();

  // ---- purge
  timed('apt purge', () => inRoot(['apt-get', 'purge', '-y', '-q', 'steward']));
  for (const gone of ['var/lib/steward', 'etc/steward', 'usr/lib/steward', 'usr/sbin/steward-admin', 'usr/lib/systemd/system/steward-api.service']) {
    assert.ok(!existsSync(join(ROOT, gone)), `${gone} removed by purge`);
  }
  assert.equal(inRoot(['getent', 'passwd', 'steward'], { allowFail: true }), '', 'the steward user is removed');
  assert.throws(() => lstatSync(join(ROOT, 'etc/systemd/system/sockets.target.wants/steward-api.socket')), /ENOENT/, 'units disabled');
});
