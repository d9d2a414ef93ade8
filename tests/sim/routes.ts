// Every operation the simulator serves, per product. The schema extract is made for exactly
// these (tests/sim/schema/extract.ts), and the router refuses to serve one the extract lacks.
import type { RouteTable } from './router.ts';
import { opKey } from './schema/extract.ts';
import type { Product } from './types.ts';
import { clusterRoutes } from './pve/cluster.ts';
import { nodeRoutes } from './pve/nodes.ts';
import { guestRoutes } from './pve/guests.ts';
import { taskRoutes } from './pve/tasks.ts';
import { pbsRoutes } from './pbs/routes.ts';

export const ROUTES: Record<Product, RouteTable> = {
  pve: { ...clusterRoutes, ...nodeRoutes, ...taskRoutes, ...guestRoutes },
  pbs: pbsRoutes,
};

export function allOperationKeys(): string[] {
  return (['pve', 'pbs'] as const).flatMap((p) => Object.keys(ROUTES[p]).map((k) => opKey(p, ...(k.split(' ') as [string, string]))));
}
