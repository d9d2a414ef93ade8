// The shape of one privileged method's handler (one file each under methods/).
import type { PrivdActor, PrivdMethod, PrivdResult } from '../../shared/privd-methods.ts';
import type { PRIVD_METHODS } from '../../shared/privd-methods.ts';
import type { z } from 'zod';
import type { Logger } from '../common/log.ts';

export interface MethodContext {
  actor: PrivdActor;
  log: Logger;
}

export type MethodHandler<M extends PrivdMethod> = (
  params: z.output<(typeof PRIVD_METHODS)[M]['params']>,
  ctx: MethodContext,
) => Promise<PrivdResult<M>>;

export type HandlerTable = { [M in PrivdMethod]: MethodHandler<M> };
