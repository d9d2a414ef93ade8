// Wire schemas of /resources: every guest, node, storage and PBS datastore across remotes,
// in Proxmox's field names, each with its `remote`; and the per-remote freshness that goes
// with them (a remote that is down is shown as down with its error, never as empty).
import { z } from 'zod';
import { remoteType } from './remotes.ts';

export const resourceType = z.enum(['qemu', 'lxc', 'node', 'storage', 'datastore']);
export type ResourceType = z.infer<typeof resourceType>;

export const ResourceSchema = z.object({
  remote: z.string(),
  'remote-type': remoteType,
  /** Proxmox's resource id: `qemu/100`, `lxc/101`, `node/pve1`, `storage/pve1/local`, `datastore/store1`. */
  id: z.string(),
  type: resourceType,
  name: z.string().optional(),
  node: z.string().optional(),
  status: z.string().optional(),
  vmid: z.number().int().optional(),
  template: z.boolean().optional(),
  tags: z.string().optional(),
  pool: z.string().optional(),
  lock: z.string().optional(),
  hastate: z.string().optional(),
  cpu: z.number().optional(),
  maxcpu: z.number().optional(),
  mem: z.number().optional(),
  maxmem: z.number().optional(),
  disk: z.number().optional(),
  maxdisk: z.number().optional(),
  uptime: z.number().optional(),
  netin: z.number().optional(),
  netout: z.number().optional(),
  storage: z.string().optional(),
  plugintype: z.string().optional(),
  content: z.string().optional(),
  shared: z.boolean().optional(),
  level: z.string().optional(),
  'estimated-full-date': z.number().optional(),
});
export type Resource = z.infer<typeof ResourceSchema>;

export const remoteHealth = z.enum(['ok', 'degraded', 'down', 'unknown', 'disabled']);
export type RemoteHealth = z.infer<typeof remoteHealth>;

export const RemoteStateSchema = z.object({
  remote: z.string(),
  type: remoteType,
  status: remoteHealth,
  /** Unix time (s) of the last successful refresh; the data shown is this old. */
  'last-success': z.number().optional(),
  'last-attempt': z.number().optional(),
  /** Seconds since the last successful refresh. */
  age: z.number().optional(),
  error: z.string().optional(),
  'error-code': z.string().optional(),
  /** Why the remote is degraded: offline nodes, a failed-over endpoint, a changed certificate. */
  problems: z.array(z.string()).optional(),
  'refresh-ms': z.number().optional(),
});
export type RemoteState = z.infer<typeof RemoteStateSchema>;

export const ResourceListResult = z.object({
  total: z.number().int(),
  resources: z.array(ResourceSchema),
  /** Freshness of every remote that contributed (or should have). */
  remotes: z.array(RemoteStateSchema),
});
