// Background services of the API daemon (pollers, schedulers), started after the store
// opens and stopped on shutdown before it closes.
import { acmeOf } from './acme/acme-service.ts';
import { AcmeRenewal } from './acme/renewal.ts';
import type { AppDeps } from './deps.ts';
import { hostTasksOf } from './tasks/host-tasks.ts';

export interface Service {
  name: string;
  stop(): Promise<void> | void;
}

export async function startServices(deps: AppDeps): Promise<{ stop(): Promise<void> }> {
  const running: Service[] = [];
  if (deps.accessControl) {
    const maintenance = deps.accessControl.startMaintenance();
    running.push({ name: 'access maintenance', stop: () => maintenance.stop() });
  }
  deps.remotes.poller.start();
  running.push({ name: 'poller', stop: () => deps.remotes.poller.stop() });
  deps.remotes.tasks.start();
  running.push({ name: 'remote tasks', stop: () => deps.remotes.tasks.stop() });
  // A host task left running by the previous process cannot end any more (its privd call died with it).
  const hostTasks = hostTasksOf(deps);
  await hostTasks.markInterrupted();
  running.push({ name: 'host tasks', stop: () => hostTasks.markInterrupted().then(() => undefined) });
  await acmeOf(deps).recover();
  const renewal = new AcmeRenewal(acmeOf(deps), deps.log.child({ component: 'acme' }));
  renewal.start();
  running.push({ name: 'acme renewal', stop: () => renewal.stop() });
  return {
    async stop() {
      for (const s of running.reverse()) await s.stop();
    },
  };
}
