// Every route of the API, one file per resource.
import type { Route } from '../framework/route.ts';
import { routes as remotes } from './remotes.ts';
import { routes as resources } from './resources.ts';
import { routes as pve } from './pve.ts';
import { routes as pbs } from './pbs.ts';
import { routes as views } from './views.ts';
import { routes as system } from './system.ts';
import { routes as version } from './version.ts';

export const ROUTES: readonly Route[] = [...version, ...system, ...pve, ...pbs, ...remotes, ...resources, ...views];
