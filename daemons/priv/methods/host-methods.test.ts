// The host methods through privd's real RPC dispatcher, against fixture programs written
// into a temp dir (privd takes every binary path from its config, never from PATH).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../../common/config.ts';
import { selfSignedCertificate } from '../../common/certificate.ts';
import { Logger, setLogSink } from '../../common/log.ts';
import type { PrivdEnv } from '../method.ts';
import { RpcServer } from '../rpc-server.ts';
import { HANDLERS } from './index.ts';
import { parseSimulation } from './apt-upgradable.ts';
import { configDigest, setKey } from './service-config.ts';

const actor = { user: 'admin@steward' };
let dir: string;
let env: PrivdEnv;
let rpc: RpcServer;
const lines: string[] = [];

/** A fixture program: records its argv (one per line) in <name>.args, then runs `body`. */
function fixture(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' "$@" > "${path}.args"\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}
const argsOf = (name: string) => readFileSync(join(dir, `${name}.args`), 'utf8').trim().split('\n');

async function call(method: string, args: unknown) {
  const r = await rpc.dispatch(1, method, actor, args);
  if ('error' in r) return { error: { code: r.error.data?.code ?? r.error.code, message: r.error.message, errors: r.error.data?.errors } } as const;
  return { result: r.result as any } as const; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const SIMULATION = `NOTE: This is only a simulation!
Reading package lists...
Inst libssl3 [3.0.15-1~deb12u1] (3.0.16-1~deb12u1 Debian-Security:12/stable-security [amd64])
Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.11/stable, Debian:12.11/stable [all])
Inst linux-image-6.1.0-37-amd64 (6.1.140-1 Debian:12.11/stable [amd64])
Conf libssl3 (3.0.16-1~deb12u1 Debian-Security:12/stable-security [amd64])
`;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'steward-privd-host-'));
  writeFileSync(join(dir, 'simulation.txt'), SIMULATION);
  const conf = join(dir, 'steward.conf');
  const keys: Record<string, string> = {
      APT_GET: fixture('apt-get', `case "$*" in
  *dist-upgrade*) cat "${dir}/simulation.txt" ;;
  *update*) echo "Hit:1 http://deb.debian.org/debian bookworm InRelease"; echo "Reading package lists..." ;;
  *"changelog libssl3"*) echo "openssl (3.0.16-1~deb12u1) bookworm-security; urgency=medium" ;;
  *changelog*) echo "E: Unable to find a source package for $3" >&2; exit 100 ;;
esac`),
      SYSTEMCTL: fixture('systemctl', `case "$1" in
  show) printf 'Id=steward-api.service\\nActiveState=active\\nSubState=running\\nMainPID=4242\\nActiveEnterTimestamp=@1716199200\\nNRestarts=1\\n\\nId=steward-privd.service\\nActiveState=active\\nSubState=running\\nMainPID=42\\nActiveEnterTimestamp=@1716199100\\nNRestarts=0\\n' ;;
esac`),
      JOURNALCTL: fixture('journalctl', `echo '{"__REALTIME_TIMESTAMP":"1716199200123456","_SYSTEMD_UNIT":"steward-api.service","PRIORITY":"5","MESSAGE":"steward-api listening port=443"}'
echo '{"__REALTIME_TIMESTAMP":"1716199201000000","_SYSTEMD_UNIT":"steward-privd.service","PRIORITY":"3","MESSAGE":[104,105]}'
echo 'not json'`),
      CERT_FILE: join(dir, 'api.pem'),
      KEY_FILE: join(dir, 'api.key'),
      API_SOCKET_DROPIN: join(dir, 'dropin', 'listen.conf'),
      ACME_HTTP_PORT: '0',
  };
  // The fixture paths live in the file itself: service.config re-reads it.
  writeFileSync(conf, `# Steward\n#LISTEN_ADDRESS=::\n#PORT=443\n${Object.entries(keys).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
  env = {
    config: parseConfig(readFileSync(conf, 'utf8'), conf),
    configFile: conf,
    apiGid: process.getuid?.() === 0 ? 65534 : undefined,
    now: Date.now,
  };
  setLogSink((l) => void lines.push(l));
  rpc = new RpcServer(HANDLERS, new Logger(), env);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('apt', () => {
  test('apt.upgradable lists current and candidate versions and flags security updates', async () => {
    const { result } = await call('apt.upgradable', {});
    assert.deepEqual(argsOf('apt-get'), ['-s', '-q', '-o', 'Debug::NoLocking=1', 'dist-upgrade']);
    assert.deepEqual(result.packages.map((p: { package: string }) => p.package), ['libssl3', 'tzdata', 'linux-image-6.1.0-37-amd64']);
    const [ssl, tz, kernel] = result.packages;
    assert.deepEqual(ssl, { package: 'libssl3', current: '3.0.15-1~deb12u1', candidate: '3.0.16-1~deb12u1', origin: 'Debian-Security:12/stable-security', arch: 'amd64', security: true });
    assert.equal(tz.security, false);
    assert.equal(kernel.current, null, 'a new package pulled in by the upgrade');
  });

  test('apt.update returns apt-get’s output', async () => {
    const { result } = await call('apt.update', {});
    assert.equal(result.ok, true);
    assert.match(result.output, /Hit:1/);
    assert.ok(argsOf('apt-get').includes('update'));
  });

  test('apt.changelog: one package, unknown package is not_found, a bad name never reaches apt-get', async () => {
    const ok = await call('apt.changelog', { package: 'libssl3' });
    assert.match(ok.result.text, /^openssl \(3\.0\.16/);
    const missing = await call('apt.changelog', { package: 'no-such-pkg' });
    assert.equal(missing.error?.code, 'not_found');
    for (const bad of ['-o=APT::foo', 'a b', '../x', 'A']) {
      const r = await call('apt.changelog', { package: bad });
      assert.equal(r.error?.code, 'validation', bad);
    }
  });

  test('the real host’s apt state parses (when apt-get and root are available)', { skip: !(existsSync('/usr/bin/apt-get') && process.getuid?.() === 0) }, async () => {
    const real = new RpcServer(HANDLERS, new Logger(), { ...env, config: parseConfig('') });
    const r = await real.dispatch(1, 'apt.upgradable', actor, {});
    assert.ok('result' in r, JSON.stringify(r));
    assert.ok(Array.isArray((r.result as { packages: unknown[] }).packages));
  });

  test('simulation lines with an architecture-qualified name keep the bare package name', () => {
    assert.equal(parseSimulation('Inst libc6:i386 [2.36-9] (2.36-9+deb12u10 Debian:12.11/stable [i386])')[0]!.package, 'libc6');
  });
});

describe('service', () => {
  test('service.status reads systemctl show for Steward’s units only', async () => {
    const { result } = await call('service.status', {});
    assert.deepEqual(argsOf('systemctl').slice(0, 2), ['show', '--timestamp=unix']);
    const api = result.units.find((u: { unit: string }) => u.unit === 'steward-api.service');
    assert.deepEqual(api, { unit: 'steward-api.service', active: 'active', sub: 'running', pid: 4242, since: 1716199200, restarts: 1 });
    assert.equal(result.units.find((u: { unit: string }) => u.unit === 'steward-api.socket').active, 'unknown');
  });

  test('journal.read asks journalctl for the chosen units and decodes byte-array messages', async () => {
    const { result } = await call('journal.read', { units: ['steward-privd.service'], lines: 50, priority: 4, since: 1716000000 });
    assert.deepEqual(argsOf('journalctl'), ['--no-pager', '-o', 'json', '-n', '50', '-u', 'steward-privd.service', '--since=@1716000000', '--priority=4']);
    assert.deepEqual(result.entries[1], { time: 1716199201, unit: 'steward-privd.service', priority: 3, message: 'hi' });
    const bad = await call('journal.read', { units: ['ssh.service'] });
    assert.equal(bad.error?.code, 'validation', 'only Steward’s own units');
  });

  test('setKey replaces the active line, else adds below the commented default, else appends', () => {
    assert.equal(setKey('PORT=1\n', 'PORT', '2'), 'PORT=2\n');
    assert.equal(setKey('#PORT=443\nX=1\n', 'PORT', '8006'), '#PORT=443\nPORT=8006\nX=1\n');
    assert.equal(setKey('X=1', 'PORT', '8006'), 'X=1\nPORT=8006\n');
  });

  test('service.config: stale digest conflicts; port change rewrites the file, writes the socket drop-in and restarts', async () => {
    const before = readFileSync(env.configFile, 'utf8');
    const stale = await call('service.config', { port: 8006, digest: '0'.repeat(64) });
    assert.equal(stale.error?.code, 'conflict');
    const bad = await call('service.config', { 'listen-address': 'example.com' });
    assert.equal(bad.error?.code, 'validation');

    const r = await call('service.config', { port: 8006, 'trusted-proxies': ['10.0.0.0/8'], digest: configDigest(before) });
    assert.ok(r.result, JSON.stringify(r.error));
    const result = r.result;
    assert.deepEqual(result.changed, ['PORT', 'TRUSTED_PROXIES']);
    assert.equal(result.api, 'restarting');
    const text = readFileSync(env.configFile, 'utf8');
    assert.match(text, /^# Steward\n#LISTEN_ADDRESS=::\n#PORT=443\nPORT=8006\n/, 'comments kept, value below its commented default');
    assert.match(text, /^TRUSTED_PROXIES=10.0.0.0\/8$/m);
    assert.equal(result.digest, configDigest(text));
    assert.equal(env.config.PORT, 8006, 'privd runs with the new config');
    assert.equal(readFileSync(env.config.API_SOCKET_DROPIN, 'utf8').split('\n').slice(1).join('\n'), '[Socket]\nListenStream=\nListenStream=8006\n');
    assert.deepEqual(argsOf('systemctl'), ['--no-block', 'restart', 'steward-api.socket', 'steward-api.service']);

    const same = await call('service.config', { port: 8006 });
    assert.equal(same.result.api, 'unchanged');
    const proxies = await call('service.config', { 'trusted-proxies': [] });
    assert.equal(proxies.result.api, 'reloaded');
    assert.deepEqual(argsOf('systemctl'), ['reload', 'steward-api.service']);
  });
});

describe('cert.install', () => {
  test('writes key 0640 and chain 0644 atomically, then reloads the API through systemctl', async () => {
    const pair = selfSignedCertificate({ hostname: 'steward.example.test' });
    const { result } = await call('cert.install', { certificates: pair.cert, key: pair.key });
    assert.equal(result.api, 'reloaded');
    assert.deepEqual(argsOf('systemctl'), ['reload', 'steward-api.service']);
    assert.equal(readFileSync(env.config.CERT_FILE, 'utf8'), pair.cert);
    assert.equal(statSync(env.config.KEY_FILE).mode & 0o777, 0o640);
    assert.equal(statSync(env.config.CERT_FILE).mode & 0o777, 0o644);
    if (process.getuid?.() === 0) assert.equal(statSync(env.config.KEY_FILE).gid, 65534);
    assert.match(result.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.ok(lines.some((l) => /privd call method=cert.install user=admin@steward .*result=ok/.test(l)), 'audit line');
    assert.ok(!lines.some((l) => l.includes('PRIVATE KEY')), 'the key never reaches the log');
  });

  test('a key that does not match, an expired certificate, or garbage are refused and nothing is written', async () => {
    const installed = readFileSync(env.config.CERT_FILE, 'utf8');
    const a = selfSignedCertificate();
    const b = selfSignedCertificate();
    const mismatch = await call('cert.install', { certificates: a.cert, key: b.key });
    assert.equal(mismatch.error?.code, 'validation');
    assert.ok(mismatch.error?.errors?.key);
    const expired = new RpcServer(HANDLERS, new Logger(), { ...env, now: () => Date.now() + 20 * 365 * 86_400_000 });
    const r = await expired.dispatch(1, 'cert.install', actor, { certificates: a.cert, key: a.key });
    assert.ok('error' in r && r.error.data?.code === 'validation' && /expired/.test(r.error.message));
    const junk = await call('cert.install', { certificates: 'hello', key: 'world' });
    assert.equal(junk.error?.code, 'validation');
    assert.equal(readFileSync(env.config.CERT_FILE, 'utf8'), installed);
  });

  test('development mode: SIGHUP to the pid in API_PID_FILE, only if it is a non-root steward-api', async () => {
    const pidFile = join(dir, 'api.pid');
    const child = spawn(process.execPath, ['-e', 'process.on("SIGHUP",()=>{process.stdout.write("hup");process.exit(0)});setInterval(()=>{},1e3);process.stdout.write("ready")', 'steward-api'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      ...(process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}),
    });
    let out = '';
    await new Promise<void>((res) => child.stdout.on('data', (d) => { out += d; if (out.includes('ready')) res(); }));
    const exited = new Promise((res) => child.on('exit', res));
    const dev = new RpcServer(HANDLERS, new Logger(), { ...env, config: { ...env.config, API_PID_FILE: pidFile } });
    writeFileSync(pidFile, `${process.pid}\n`);
    const pair = selfSignedCertificate();
    const self = await dev.dispatch(1, 'cert.install', actor, { certificates: pair.cert, key: pair.key });
    assert.equal((self as { result: { api: string } }).result.api, 'unchanged', 'not a steward-api process: not signalled');
    writeFileSync(pidFile, `${child.pid}\n`);
    const r = await dev.dispatch(2, 'cert.install', actor, { certificates: pair.cert, key: pair.key });
    assert.equal((r as { result: { api: string } }).result.api, 'reloaded');
    await exited;
    assert.match(out, /hup/);
  });
});

describe('acme http-01 responder', () => {
  test('serves only the given tokens, then stops', async () => {
    const token = 'tok_' + 'a'.repeat(40);
    const ka = `${token}.${'b'.repeat(43)}`;
    const { result } = await call('acme.serve', { challenges: [{ token, keyAuthorization: ka }] });
    const get = (path: string) => new Promise<{ status: number; body: string }>((res, rej) => {
      http.get({ host: '127.0.0.1', port: result.port, path }, (r) => {
        let body = '';
        r.on('data', (d) => (body += d));
        r.on('end', () => res({ status: r.statusCode ?? 0, body }));
      }).on('error', rej);
    });
    assert.deepEqual(await get(`/.well-known/acme-challenge/${token}`), { status: 200, body: ka });
    assert.equal((await get('/.well-known/acme-challenge/other')).status, 404);
    assert.equal((await get('/')).status, 404);
    assert.equal((await call('acme.unserve', {})).result.stopped, true);
    await assert.rejects(get(`/.well-known/acme-challenge/${token}`));
    const bad = await call('acme.serve', { challenges: [{ token: '../../etc/passwd', keyAuthorization: 'x.y' }] });
    assert.equal(bad.error?.code, 'validation');
  });
});
