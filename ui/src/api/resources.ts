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
}

/** One remote's resources, or why they are missing, with the snapshot's age. */
export interface RemoteResources {
  remote: string;
  'remote-type'?: string;
  resources: Resource[];
  error?: string;
  /** Epoch seconds of the last good poll. */
  timestamp?: number;
}

export function flatten(groups: RemoteResources[] | Resource[]): Resource[] {
  if (!groups.length) return [];
  if ('resources' in groups[0]!) {
    return (groups as RemoteResources[]).flatMap((g) => g.resources.map((r) => (r.remote ? r : { ...r, remote: g.remote })));
  }
  return groups as Resource[];
}

export async function listResources(search: string, signal?: AbortSignal): Promise<{ rows: Resource[]; groups: RemoteResources[] }> {
  const data = await api.get<RemoteResources[] | Resource[]>('/resources/list', search ? { search } : undefined, { signal });
  const groups = data.length && 'resources' in data[0]! ? (data as RemoteResources[]) : [];
  return { rows: flatten(data), groups };
}

export const isGuest = (r: Resource) => r.type === 'qemu' || r.type === 'lxc';

/** The UI address of a resource's detail page. */
export function resourceHref(r: Resource): string | undefined {
  const remote = encodeURIComponent(r.remote);
  if (isGuest(r) && r.vmid !== undefined) return `/remotes/${remote}/${r.type}/${r.vmid}`;
  if (r.type === 'node' && r.node) return `/remotes/${remote}/nodes/${encodeURIComponent(r.node)}`;
  if (r.type === 'remote' || r.type === 'pve' || r.type === 'pbs') return `/remotes/${remote}`;
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
