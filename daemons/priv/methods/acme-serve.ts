// acme.serve: starts the http-01 responder (or replaces its tokens) on ACME_HTTP_PORT.
import { ApiError } from '../../../shared/errors.ts';
import { errnoCode } from '../../common/errors.ts';
import { startResponder } from '../acme-responder.ts';
import type { MethodHandler } from '../method.ts';

export const acmeServe: MethodHandler<'acme.serve'> = async ({ challenges }, { env, log }) => {
  try {
    return { port: await startResponder(env.config.ACME_HTTP_PORT, challenges, log) };
  } catch (err) {
    if (errnoCode(err) === 'EADDRINUSE') {
      throw new ApiError('conflict', `port ${env.config.ACME_HTTP_PORT} is in use by another program; stop it or use dns-01`);
    }
    throw err;
  }
};
