// Method name → handler. Must list exactly the methods of shared/privd-methods.ts (tested).
import type { HandlerTable } from '../method.ts';
import { systemInfo } from './system-info.ts';

export const HANDLERS: HandlerTable = {
  'system.info': systemInfo,
};
