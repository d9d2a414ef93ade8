// The shape of one privileged method's handler (one file each under methods/).
import type { PrivdActor, PrivdMethod, PrivdResult } from '../../shared/privd-methods.ts';
import type { PRIVD_METHODS } from '../../shared/privd-methods.ts';
import type { z } from 'zod';
import type { Logger } from '../common/log.ts';
import type { Config } from '../common/config.ts';

/** What every method may read: the running config (replaced after service.config) and the API's group. */
export interface PrivdEnv {
  config: Config;
  /** The steward.conf path the config was read from (service.config rewrites it). */
  configFile: string;
  /** Group of the API daemon: owner group of the files it must read (the TLS key). */
  apiGid: number | undefined;
  now(): number;
}

export interface MethodContext {
  actor: PrivdActor;
  log: Logger;
  env: PrivdEnv;
  /** Sends one line to the caller while the method runs (methods marked `progress` only; bounded). */
  progress(line: string): void;
  /** Aborted when the caller's connection closes: nobody is waiting for the result any more. */
  signal: AbortSignal;
}

export type MethodHandler<M extends PrivdMethod> = (
  params: z.output<(typeof PRIVD_METHODS)[M]['params']>,
  ctx: MethodContext,
) => Promise<PrivdResult<M>>;

export type HandlerTable = { [M in PrivdMethod]: MethodHandler<M> };
