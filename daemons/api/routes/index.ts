// Every route of the API, one file per resource.
import type { Route } from '../framework/route.ts';
import { routes as remotes } from './remotes.ts';
import { routes as resources } from './resources.ts';
import { routes as pve } from './pve.ts';
import { routes as pbs } from './pbs.ts';
import { routes as views } from './views.ts';
import { routes as system } from './system.ts';
import { routes as acme } from './acme.ts';
import { routes as version } from './version.ts';
import { routes as access } from './access.ts';
import { routes as accessTokens } from './access-tokens.ts';
import { routes as accessAcl } from './access-acl.ts';
import { routes as groups } from './groups.ts';
import { routes as accessTfa } from './access-tfa.ts';

export const ROUTES: readonly Route[] = [...version, ...system, ...acme, ...pve, ...pbs, ...remotes, ...resources, ...views, ...access, ...accessTokens, ...accessAcl, ...accessTfa, ...groups];
