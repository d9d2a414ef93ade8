// `make demo`: Steward with both daemons, the Proxmox simulator's demo scenario added as
// remotes, and a first administrator. Data lives in build/demo/ and survives restarts.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, startStack } from './harness/stack.ts';
import { setupDemoRemotes } from './demo-remotes.ts';

const port = Number(process.env.PORT ?? 8443);
const password = process.env.DEMO_PASSWORD || randomBytes(9).toString('base64url');
const dir = join(REPO, 'build', 'demo');
mkdirSync(dir, { recursive: true });
const firstRun = !existsSync(join(dir, 'data'));

const stack = await startStack({ dir, port, listen: '::', echo: process.env.DEMO_VERBOSE === '1' });
const admin = await stack.admin(['user', 'create', 'admin@steward', '--role', 'Admin', '--password-stdin'], password + '\n');
let passwordNote = password;
if (admin.code !== 0) {
  if (/exists/.test(admin.stderr + admin.stdout)) {
    // The user was created by an earlier run: set the password this run prints.
    const reset = await stack.admin(['user', 'passwd', 'admin@steward', '--password-stdin'], password + '\n');
    if (reset.code !== 0) passwordNote = '(unchanged from the previous run)';
  } else {
    process.stderr.write(`could not create the first administrator:\n${admin.stderr}${admin.stdout}\n`);
  }
}

const stopSim = await setupDemoRemotes(stack, password).catch((err: Error) => {
  process.stderr.write(`simulator not started: ${err.message}\n`);
  return async () => {};
});

const url = `https://localhost:${stack.port}/`;
process.stdout.write(`
  Steward is running${firstRun ? ' (first start: new data in build/demo/)' : ''}.

    URL:       ${url}
    API:       ${url}api2/json/version
    Login:     admin@steward
    Password:  ${passwordNote}

  The certificate is self-signed: accept it in the browser (or curl -k).
  Press Ctrl-C to stop.
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nstopping…\n');
  await stopSim();
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
void stack.api.exited.then((code) => {
  if (!stopping) {
    process.stderr.write(`steward-api exited (code ${code}):\n${stack.api.lines.slice(-20).join('\n')}\n`);
    void stop();
  }
});
