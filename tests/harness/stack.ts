// Starts Steward as it runs for real: the built steward-privd and steward-api bundles as
// separate processes, the API unprivileged (as `nobody` when the test runs as root), talking
// over the privd UNIX socket, serving HTTPS on a free port. Used by integration and browser
// tests and by `make demo`.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
export const DIST = join(REPO, 'dist');
const NOBODY = 65534;

export interface StackOptions {
  /** Directory for config, data, keys and sockets; a fresh temp dir by default. */
  dir?: string;
  port?: number;
  listen?: string;
  extraConfig?: Record<string, string>;
  /** Passed through to both daemons. */
  env?: Record<string, string>;
  /** Print daemon log lines as they arrive (demo). */
  echo?: boolean;
}

export interface Daemon {
  name: string;
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

export interface Stack {
  dir: string;
  configFile: string;
  port: number;
  url: string;
  privdSocket: string;
  privd: Daemon;
  api: Daemon;
  /** The uid/gid the API runs as (nobody when the tests run as root). */
  apiUid: number | undefined;
  /** Log lines at error level (<3>) or worse from both daemons. */
  errorLines(): string[];
  stopApi(signal?: NodeJS.Signals): Promise<number | null>;
  startApi(): Promise<void>;
  /** Runs the built steward-admin with this stack's config; resolves with its output. */
  admin(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/**
 * How the daemon's systemd unit runs it: Node's own flags on its ExecStart line and its
 * Environment= settings, so tests and benchmarks run it as installed.
 */
export function unitCommand(file: string): { flags: string[]; env: Record<string, string> } {
  return parseUnit(readFileSync(join(REPO, 'systemd', file.replace(/\.mjs$/, '.service')), 'utf8'), file);
}

/** Node's flags and the Environment= settings of a unit's text that starts `file`. */
export function parseUnit(unit: string, file: string): { flags: string[]; env: Record<string, string> } {
  const exec = /^ExecStart=\/usr\/bin\/node\s+(.*)$/m.exec(unit);
  if (!exec) throw new Error(`no ExecStart=/usr/bin/node line in the unit of ${file}`);
  const words = exec[1]!.trim().split(/\s+/);
  const script = words.findIndex((w) => w.endsWith(`/${file}`));
  if (script < 0) throw new Error(`the unit of ${file} does not start it`);
  const env: Record<string, string> = {};
  for (const m of unit.matchAll(/^Environment=([A-Z_]+)=(\S*)$/gm)) env[m[1]!] = m[2]!;
  return { flags: words.slice(0, script), env };
}

function daemon(name: string, file: string, args: string[], env: NodeJS.ProcessEnv, opts: { uid?: number; gid?: number; echo?: boolean }): Daemon {
  const unit = unitCommand(file);
  const child = spawn(process.execPath, [...unit.flags, join(DIST, 'lib', file), ...args], {
    env: { ...unit.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid } : {}),
  });
  const lines: string[] = [];
  let buf = '';
  const onData = (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(line);
      if (opts.echo) process.stderr.write(`[${name}] ${line}\n`);
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { name, child, lines, exited };
}

async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, d: Daemon, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void d.exited.then(() => { exited = true; });
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (exited) throw new Error(`${d.name} exited while waiting for ${what}:\n${d.lines.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${d.lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) for (const e of readdirSync(path)) chownTree(join(path, e), uid, gid);
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'steward-test-'));
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  for (const sub of ['etc', 'data', 'run']) mkdirSync(join(dir, sub), { recursive: true });
  const asRoot = process.getuid?.() === 0;
  const apiUid = asRoot ? NOBODY : undefined;
  const configFile = join(dir, 'etc', 'steward.conf');
  const privdSocket = join(dir, 'run', 'privd.sock');
  const config: Record<string, string> = {
    LISTEN_ADDRESS: opts.listen ?? '127.0.0.1',
    PORT: String(opts.port ?? 0),
    DATA_DIR: join(dir, 'data'),
    CERT_FILE: join(dir, 'etc', 'api.pem'),
    KEY_FILE: join(dir, 'etc', 'api.key'),
    TICKET_KEY_FILE: join(dir, 'etc', 'ticket.key'),
    CREDENTIAL_KEY_FILE: join(dir, 'etc', 'credential.key'),
    PRIVD_SOCKET: privdSocket,
    WEB_ROOT: join(DIST, 'www'),
    LOG_LEVEL: 'info',
    SHUTDOWN_TIMEOUT: '5',
    ...opts.extraConfig,
  };
  writeFileSync(configFile, Object.entries(config).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  if (apiUid !== undefined) {
    chownTree(join(dir, 'etc'), apiUid, NOBODY);
    chownTree(join(dir, 'data'), apiUid, NOBODY);
  }
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', STEWARD_CONFIG: configFile, STEWARD_DEV: '1', ...opts.env };

  const privdArgs = ['--dev', ...(asRoot ? ['--group', 'nogroup'] : [])];
  const privd = daemon('privd', 'steward-privd.mjs', privdArgs, env, { echo: opts.echo });
  await waitFor('privd socket', () => (existsSync(privdSocket) && privd.lines.some((l) => l.includes('listening')) ? true : undefined), privd);

  const stack: Stack = {
    dir, configFile, privdSocket, privd, apiUid,
    port: 0,
    url: '',
    api: undefined as never,
    errorLines: () => [...privd.lines, ...stack.api.lines].filter((l) => /^<[0-3]>/.test(l)),
    async startApi() {
      const api = daemon('api', 'steward-api.mjs', [], env, { uid: apiUid, gid: apiUid === undefined ? undefined : NOBODY, echo: opts.echo });
      stack.api = api;
      const port = await waitFor('api listening', () => {
        const line = api.lines.find((l) => l.includes('steward-api listening'));
        const m = line && /port=(\d+)/.exec(line);
        return m ? Number(m[1]) : undefined;
      }, api);
      stack.port = port;
      const host = config.LISTEN_ADDRESS ?? '127.0.0.1';
      stack.url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
    },
    async stopApi(signal = 'SIGTERM') {
      if (stack.api.child.exitCode !== null) return stack.api.child.exitCode;
      stack.api.child.kill(signal);
      return stack.api.exited;
    },
    admin(args, input) {
      return new Promise((res) => {
        const child = spawn(process.execPath, [join(DIST, 'lib', 'steward-admin.mjs'), ...args], {
          env, stdio: ['pipe', 'pipe', 'pipe'],
          ...(apiUid !== undefined ? { uid: apiUid, gid: NOBODY } : {}),
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.stdin.end(input ?? '');
        child.on('exit', (code) => res({ code, stdout, stderr }));
      });
    },
    async stop() {
      await stack.stopApi();
      if (privd.child.exitCode === null) {
        privd.child.kill('SIGTERM');
        await privd.exited;
      }
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await stack.startApi();
  } catch (err) {
    privd.child.kill('SIGKILL');
    stack.api?.child.kill('SIGKILL');
    throw err;
  }
  return stack;
}
