// Resources across all remotes (GET /resources/list, /resources/status) and guest actions.
import { api, path } from './client.ts';

export interface Resource {
  /** PDM-style id within the remote: 'qemu/100', 'node/pve1', 'storage/pve1/local'. */
  id: string;
  type: string;
  remote: string;
  name?: string;
  node?: string;
  vmid?: number;
  status?: string;
  cpu?: number;
  maxcpu?: number;
  mem?: number;
  maxmem?: number;
  disk?: number;
  maxdisk?: number;
  uptime?: number;
  tags?: string[] | string;
  template?: boolean | number;
  storage?: string;
  datastore?: string;
  /** Storages: the plugin type (dir, zfspool, rbd, nfs, pbs…), shared or per node, content types. */
  plugintype?: string;
  shared?: boolean | number;
  content?: string;
}

/** A remote's freshness beside the list: a remote that is down shows as down, with its error. */
export interface RemoteState {
  remote: string;
  type?: string;
  status: 'ok' | 'degraded' | 'down' | 'unknown' | 'disabled' | string;
  'last-success'?: number;
  /** Seconds since the last successful refresh. */
  age?: number;
  error?: string;
  problems?: string[];
}

export interface ResourceList {
  total: number;
  resources: Resource[];
  remotes: RemoteState[];
}

export interface ListOptions { search?: string; sort?: string; order?: 'asc' | 'desc'; start?: number; limit?: number }

export async function listResources(opts: ListOptions, signal?: AbortSignal): Promise<ResourceList> {
  return api.get<ResourceList>('/resources/list', { ...opts, search: opts.search || undefined }, { signal });
}

export const isGuest = (r: Resource) => r.type === 'qemu' || r.type === 'lxc';

/** The UI address of a resource's detail page. */
export function resourceHref(r: Resource): string | undefined {
  const remote = encodeURIComponent(r.remote);
  if (isGuest(r) && r.vmid !== undefined) return `/remotes/${remote}/${r.type}/${r.vmid}`;
  if (r.type === 'node' && r.node) return `/remotes/${remote}/nodes/${encodeURIComponent(r.node)}`;
  if (r.type === 'storage' && r.node && r.storage) return `/remotes/${remote}/nodes/${encodeURIComponent(r.node)}/storage/${encodeURIComponent(r.storage)}`;
  if (r.type === 'datastore') return `/remotes/${remote}/datastore/${encodeURIComponent(r.datastore ?? r.storage ?? r.name ?? r.id.split('/').pop() ?? '')}`;
  return undefined;
}

export function displayName(r: Resource): string {
  if (isGuest(r)) return r.name ? `${r.vmid} (${r.name})` : String(r.vmid ?? r.id);
  return r.name ?? r.node ?? r.storage ?? r.datastore ?? r.id;
}

export type GuestAction = 'start' | 'stop' | 'shutdown' | 'reboot';

export function guestAction(remote: string, type: string, vmid: number | string, action: GuestAction | 'migrate', body: object = {}): Promise<string> {
  return api.post<string>(path`/pve/remotes/${remote}/${type}/${String(vmid)}/${action}`, body);
}
