// steward-privd: the small root daemon. Listens only on a UNIX socket (from systemd, or
// bound itself), serves the closed method table, and nothing else: no network, no HTTP.
import { chmodSync, chownSync, mkdirSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { configFile, loadConfigOrExit } from '../common/config.ts';
import { log, setLogLevel } from '../common/log.ts';
import { listenFds } from '../common/systemd.ts';
import { errnoCode } from '../common/errors.ts';
import { HANDLERS } from './methods/index.ts';
import { RpcServer } from './rpc-server.ts';
import { groupId } from './users.ts';

function main(): void {
  const { values } = parseArgs({
    options: {
      dev: { type: 'boolean', default: false },
      socket: { type: 'string' },
      // The group allowed to connect (the API daemon's); development runs as root pass another.
      group: { type: 'string', default: 'steward' },
    },
    strict: true,
  });
  const dev = values.dev || process.env.STEWARD_DEV === '1';
  if (process.getuid?.() !== 0 && !dev) {
    process.stderr.write('steward-privd must run as root (use --dev for development as an ordinary user)\n');
    process.exit(1);
  }

  const config = loadConfigOrExit();
  setLogLevel(config.LOG_LEVEL);
  const apiGid = process.getuid?.() === 0 ? groupId(values.group) : undefined;
  const rpc = new RpcServer(HANDLERS, log, { config, configFile: configFile(), apiGid, now: Date.now });
  const connections = new Set<net.Socket>();
  const server = net.createServer((conn) => {
    connections.add(conn);
    conn.on('close', () => connections.delete(conn));
    rpc.serve(conn);
  });

  const fds = listenFds();
  const socketPath = values.socket ?? config.PRIVD_SOCKET;
  if (fds.length > 0) {
    server.listen({ fd: fds[0]! });
  } else {
    mkdirSync(dirname(socketPath), { recursive: true, mode: 0o755 });
    try {
      unlinkSync(socketPath);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    server.listen(socketPath, () => {
      // The socket's owner, group and mode are the authentication: root:steward 0660.
      chmodSync(socketPath, 0o660);
      if (apiGid !== undefined) chownSync(socketPath, 0, apiGid);
    });
  }
  server.on('listening', () => log.notice('steward-privd listening', { socket: fds.length ? `fd:${fds[0]}` : socketPath, dev }));

  const stop = () => {
    log.notice('steward-privd stopping');
    server.close();
    const deadline = Date.now() + config.SHUTDOWN_TIMEOUT * 1000;
    const wait = () => {
      if (rpc.busy === 0 || Date.now() > deadline) {
        for (const c of connections) c.end();
        process.exit(0);
      }
      setTimeout(wait, 50);
    };
    wait();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('uncaughtException', (err) => {
    log.error('steward-privd crashed', { err, stack: err.stack });
    process.exit(70);
  });
}

main();
