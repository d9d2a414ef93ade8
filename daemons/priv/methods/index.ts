// Method name → handler. Must list exactly the methods of shared/privd-methods.ts (tested).
import type { HandlerTable } from '../method.ts';
import { acmeDns } from './acme-dns.ts';
import { acmeServe } from './acme-serve.ts';
import { acmeUnserve } from './acme-unserve.ts';
import { aptChangelog } from './apt-changelog.ts';
import { aptUpdate } from './apt-update.ts';
import { aptUpgradable } from './apt-upgradable.ts';
import { certInstall } from './cert-install.ts';
import { journalRead } from './journal-read.ts';
import { serviceConfig } from './service-config.ts';
import { serviceStatus } from './service-status.ts';
import { systemInfo } from './system-info.ts';

export const HANDLERS: HandlerTable = {
  'system.info': systemInfo,
  'cert.install': certInstall,
  'apt.update': aptUpdate,
  'apt.upgradable': aptUpgradable,
  'apt.changelog': aptChangelog,
  'service.config': serviceConfig,
  'service.status': serviceStatus,
  'journal.read': journalRead,
  'acme.serve': acmeServe,
  'acme.unserve': acmeUnserve,
  'acme.dns': acmeDns,
};
