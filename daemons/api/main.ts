// steward-api: the unprivileged HTTPS daemon. Refuses to run as root.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig, loadConfigOrExit } from '../common/config.ts';
import type { Config } from '../common/config.ts';
import { selfSignedCertificate } from '../common/certificate.ts';
import { log, setLogLevel } from '../common/log.ts';
import { createApp } from './app.ts';
import { buildAccess } from './auth/index.ts';
import { NO_ACL } from './auth/acl-query.ts';
import type { AppDeps } from './deps.ts';
import { PrivdClient } from './privd-client.ts';
import { startServer } from './server.ts';
import { Store } from './store/store.ts';
import { startServices } from './services.ts';
import { CredentialKey } from './remotes/credential-key.ts';
import { createRemoteServices } from './remotes/index.ts';

/** First start: a self-signed certificate when none is configured yet. */
function ensureCertificate(config: Config): void {
  if (existsSync(config.CERT_FILE) && existsSync(config.KEY_FILE)) return;
  const pair = selfSignedCertificate();
  mkdirSync(dirname(config.KEY_FILE), { recursive: true, mode: 0o700 });
  writeFileSync(config.KEY_FILE, pair.key, { mode: 0o600 });
  writeFileSync(config.CERT_FILE, pair.cert, { mode: 0o644 });
  log.notice('created a self-signed certificate', { cert: config.CERT_FILE });
}

async function main(): Promise<void> {
  if (process.getuid?.() === 0) {
    process.stderr.write('steward-api must not run as root; run it as the steward user (the packaged unit does)\n');
    process.exit(1);
  }
  const config = loadConfigOrExit();
  setLogLevel(config.LOG_LEVEL);
  ensureCertificate(config);

  const store = await Store.open(config.DATA_DIR);
  const privd = PrivdClient.forSocket(config.PRIVD_SOCKET, log.child({ component: 'privd-client' }));
  const lifecycle = { draining: false, inFlight: 0 };
  let credentialKey: CredentialKey;
  try {
    credentialKey = CredentialKey.loadOrCreate(config.CREDENTIAL_KEY_FILE);
  } catch (err) {
    log.error('cannot read or create the credential key', { file: config.CREDENTIAL_KEY_FILE, err });
    process.exit(1);
  }
  const remotes = createRemoteServices(store, credentialKey, log, { poller: { concurrency: config.POLL_CONCURRENCY }, access: () => deps.access });
  const deps: AppDeps = { config, store, privd, log, lifecycle, access: undefined as never, acl: NO_ACL, remotes };
  try {
    deps.access = await buildAccess(deps);
  } catch (err) {
    log.error('cannot set up access control (ticket key)', { file: config.TICKET_KEY_FILE, err });
    process.exit(1);
  }
  const services = await startServices(deps);
  const app = createApp(deps);
  const api = await startServer(app, config, lifecycle, log);
  // Development only: tells steward-privd whom to SIGHUP (packaged, systemd knows the pid).
  if (config.API_PID_FILE) writeFileSync(config.API_PID_FILE, `${process.pid}\n`, { mode: 0o644 });
  log.notice('steward-api listening', { address: config.LISTEN_ADDRESS, port: api.port });

  process.on('SIGHUP', () => {
    try {
      const next = loadConfig();
      deps.config = next;
      setLogLevel(next.LOG_LEVEL);
      api.reloadCertificate(next);
      log.notice('configuration reloaded');
    } catch (err) {
      log.error('reload failed; keeping the running configuration', { err });
    }
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.notice('steward-api stopping', { signal });
    await api.drain(deps.config.SHUTDOWN_TIMEOUT * 1000);
    await services.stop();
    remotes.close();
    privd.close();
    await store.close();
    log.notice('steward-api stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('uncaughtException', (err) => {
    log.error('steward-api crashed', { err, stack: err.stack });
    process.exit(70);
  });
}

void main();
