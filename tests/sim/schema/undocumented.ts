// Where real Proxmox and its published schema disagree. The conformance tests refuse any field
// the schema does not know, and any value of the wrong shape, unless it is listed here with the
// reason we believe the real API answers that way (the source that produces it).
export interface Undocumented {
  /** `product METHOD /path` as in the extract. */
  op: string;
  /** Location in `data`, array indices as `[]`: `data[].shared`; `data[].*` is any field of the items. */
  at: string;
  /** `field`: an extra field the schema omits; `shape`: the real value differs from the declared type. */
  kind: 'field' | 'shape';
  reason: string;
}

const QEMU_DISK = 'qemu-server PVE::QemuServer::vmstatus sets `disk => 0` for every VM (no guest agent file-system info); the return schema of the qemu list and status omits it.';
const LXC_TYPE = "pve-container PVE::LXC::vmstatus starts each entry with `type => 'lxc'`; the schema omits it.";

export const UNDOCUMENTED: Undocumented[] = [
  { op: 'pve GET /cluster/resources', at: 'data[].shared', kind: 'field', reason: 'pve-manager PVE::API2Tools::extract_storage_stats sets `shared` on storage entries; the return schema omits it.' },
  { op: 'pve GET /cluster/resources', at: 'data[].host-arch', kind: 'field', reason: "pve-manager PVE::API2::Cluster resources copies `host-arch` from the node's static-info into node entries (PVE 9)." },
  { op: 'pve GET /cluster/tasks', at: 'data[].*', kind: 'field', reason: 'The schema lists only `upid`; pve-manager PVE::API2::Cluster tasks returns the pmxcfs task list entries: node, pid, pstart, starttime, type, id, user, status, endtime, saved.' },
  { op: 'pve GET /cluster/backup', at: 'data[].*', kind: 'field', reason: "The schema lists only `id`; pve-manager PVE::API2::Backup index returns each job's vzdump configuration section (type, schedule, storage, enabled, mode, all/vmid/pool, compress, notes-template, comment, …) plus `next-run`." },
  { op: 'pve GET /nodes', at: 'data[].id', kind: 'field', reason: 'pve-manager PVE::API2::Nodes index builds entries with PVE::API2Tools::extract_node_stats, which sets `id` (node/NAME).' },
  { op: 'pve GET /nodes', at: 'data[].type', kind: 'field', reason: "PVE::API2Tools::extract_node_stats sets `type => 'node'`." },
  { op: 'pve GET /nodes/{node}/status', at: 'data.cpuinfo.*', kind: 'field', reason: 'pve-manager returns PVE::ProcFSTools::read_cpuinfo as is: besides cores/cpus/model/sockets it carries mhz, hvm, flags and user_hz.' },
  { op: 'pve GET /nodes/{node}/qemu', at: 'data[].disk', kind: 'field', reason: QEMU_DISK },
  { op: 'pve GET /nodes/{node}/qemu/{vmid}/status/current', at: 'data.disk', kind: 'field', reason: QEMU_DISK },
  { op: 'pve GET /nodes/{node}/lxc', at: 'data[].type', kind: 'field', reason: LXC_TYPE },
  { op: 'pve GET /nodes/{node}/lxc/{vmid}/status/current', at: 'data.type', kind: 'field', reason: LXC_TYPE },
  { op: 'pve GET /nodes/{node}/storage/{storage}/content', at: 'data[].content', kind: 'field', reason: 'pve-storage PVE::Storage::template_list/vdisk_list entries carry `content` (images, rootdir, backup, …); the web UI groups by it. The schema omits it.' },
  { op: 'pve GET /nodes/{node}/storage/{storage}/content', at: 'data[].subtype', kind: 'field', reason: 'pve-storage sets `subtype` (qemu/lxc) on backup volumes (archive_info); the schema omits it.' },
  { op: 'pve GET /nodes/{node}/qemu/{vmid}/migrate', at: 'data.not_allowed_nodes', kind: 'shape', reason: 'qemu-server migrate_vm_precondition keys `not_allowed_nodes` by node name ({node: {unavailable_storages, …}}); the schema describes one entry as if it were the map.' },
  { op: 'pve GET /nodes/{node}/lxc/{vmid}/migrate', at: 'data.not-allowed-nodes', kind: 'shape', reason: 'pve-container migrate_vm_precondition keys `not-allowed-nodes` by node name; the schema describes one entry as if it were the map.' },
  { op: 'pbs GET /admin/datastore/{store}/snapshots', at: 'data[].files[]', kind: 'shape', reason: 'pbs-api-types SnapshotListItem.files is Vec<BackupContent> ({filename, size, crypt-mode}) while its #[api] schema declares the items as archive-name strings.' },
  { op: 'pbs GET /admin/datastore/{store}/rrd', at: 'data', kind: 'shape', reason: 'proxmox-backup returns the RRD list as an untyped Value (schema `null`); the real answer is an array of {time, total, used, available, read_ios, read_bytes, write_ios, write_bytes, io_ticks}.' },
  { op: 'pbs GET /nodes/{node}/rrd', at: 'data', kind: 'shape', reason: 'proxmox-backup api2/node/rrd.rs returns the `host` RRD as an untyped Value (schema `null`); the real answer is an array of {time, cpu, iowait, loadavg, memtotal, memused, swaptotal, swapused, netin, netout, total, used, available, read_ios, read_bytes, write_ios, write_bytes, io_ticks}.' },
  { op: 'pbs GET /nodes/{node}/tasks/{upid}/log', at: 'data', kind: 'shape', reason: 'proxmox-backup read_task_log returns an untyped Value (schema `null`); the real answer is an array of {n, t} with `total` and `active` beside `data`.' },
];

const fields = new Map<string, Set<string>>();
const shapes = new Map<string, Set<string>>();
for (const u of UNDOCUMENTED) {
  const m = u.kind === 'field' ? fields : shapes;
  if (!m.has(u.op)) m.set(u.op, new Set());
  m.get(u.op)!.add(u.at);
}

export function undocumentedAllowed(op: string, at: string): boolean {
  const set = fields.get(op);
  if (!set) return false;
  return set.has(at) || set.has(at.replace(/\.[^.]+$/, '.*'));
}

export function shapeDiffers(op: string, at: string): boolean {
  return shapes.get(op)?.has(at) ?? false;
}
