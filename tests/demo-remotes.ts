// The demo's Proxmox side: starts the simulator's demo scenario and adds its remotes to
// Steward through the public API, as an administrator would with the wizard.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack } from './harness/stack.ts';

export async function setupDemoRemotes(_stack: Stack, _password: string): Promise<() => Promise<void>> {
  if (!existsSync(join(import.meta.dirname, 'sim', 'index.ts'))) throw new Error('the simulator is not part of this build yet');
  throw new Error('adding remotes needs the remotes API');
}
