// acme.unserve: stops the http-01 responder.
import { stopResponder } from '../acme-responder.ts';
import type { MethodHandler } from '../method.ts';

export const acmeUnserve: MethodHandler<'acme.unserve'> = async (_params, { log }) => ({ stopped: await stopResponder(log) });
