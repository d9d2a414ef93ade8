// GET /version and /ping: public, for monitoring and clients checking what they talk to.
import { z } from 'zod';
import { RELEASE, VERSION } from '../../../shared/version.ts';
import { defineRoute } from '../framework/route.ts';

export const VersionSchema = z.object({
  version: z.string(),
  release: z.string(),
  product: z.literal('steward'),
});

export const routes = [
  defineRoute({
    method: 'GET',
    path: '/version',
    summary: 'Steward version',
    tags: ['system'],
    output: VersionSchema,
    permission: { public: true },
    audit: false,
    handler: () => ({ version: VERSION, release: RELEASE, product: 'steward' as const }),
  }),
  defineRoute({
    method: 'GET',
    path: '/ping',
    summary: 'Liveness check',
    tags: ['system'],
    output: z.object({ pong: z.literal(true) }),
    permission: { public: true },
    audit: false,
    handler: () => ({ pong: true as const }),
  }),
];
