// Helpers shared by the PVE handlers: resolving nodes and guests the way PVE answers when
// they do not exist, and the entries /cluster/resources and the per-node lists share.
import { createHash } from 'node:crypto';
import type { Ctx } from '../router.ts';
import { HttpError, fail } from '../http-error.ts';
import type { Guest, NodeState, PveState, StorageState } from '../state.ts';
import { findNode, isOffline } from '../state.ts';
import { guestUsage, nodeUsage, storageUsed } from '../usage.ts';

export function pve(ctx: Ctx): PveState {
  return ctx.remote as PveState;
}

export function node(ctx: Ctx): NodeState {
  const n = findNode(ctx.remote, String(ctx.params.node));
  if (!n) throw new HttpError(500, `hostname lookup '${String(ctx.params.node)}' failed - failed to get address info for: ${String(ctx.params.node)}: Name or service not known`);
  return n;
}

/** The guest as the addressed node sees it: its config file must be on that node. */
export function guest(ctx: Ctx, type: 'qemu' | 'lxc'): Guest {
  const vmid = Number(ctx.params.vmid);
  const nodeName = String(ctx.params.node);
  const g = pve(ctx).guests.get(vmid);
  if (!g || g.type !== type || g.node !== nodeName) {
    throw fail(`Configuration file 'nodes/${nodeName}/${type === 'qemu' ? 'qemu-server' : 'lxc'}/${vmid}.conf' does not exist`);
  }
  return g;
}

export function nowMs(ctx: Ctx): number {
  return ctx.world.nodeNow(ctx.via);
}

export function digest(v: unknown): string {
  return createHash('sha1').update(JSON.stringify(v)).digest('hex');
}

export function tagString(g: Guest): string | undefined {
  return g.tags.length ? g.tags.join(';') : undefined;
}

/** A guest entry as pvestatd reports it (the same fields /cluster/resources and the lists use). */
export function guestEntry(remote: PveState, g: Guest, now: number, forResources: boolean): Record<string, unknown> {
  const host = remote.nodes.find((n) => n.name === g.node);
  if (forResources && host && isOffline(host)) {
    // No fresh status from a node that is down: only what the cluster file system knows.
    return { id: `${g.type}/${g.vmid}`, vmid: g.vmid, node: g.node, type: g.type, status: 'unknown', ...(g.tags.length ? { tags: tagString(g) } : {}), ...(g.lock ? { lock: g.lock } : {}) };
  }
  const u = guestUsage(g, now);
  const e: Record<string, unknown> = {
    ...(forResources ? { id: `${g.type}/${g.vmid}`, type: g.type, node: g.node } : {}),
    vmid: g.vmid,
    name: g.name,
    status: g.status,
    uptime: u.uptime,
    ...(forResources ? { template: g.template ? 1 : 0, maxcpu: g.cores } : { cpus: g.cores }),
    cpu: u.cpu,
    maxmem: g.memory,
    mem: u.mem,
    maxdisk: g.maxdisk,
    disk: u.disk,
    netin: u.netin,
    netout: u.netout,
    diskread: u.diskread,
    diskwrite: u.diskwrite,
  };
  if (g.type === 'qemu' && (forResources || g.status === 'running')) e.memhost = Math.round(u.mem * 1.05);
  if (!forResources && g.template) e.template = 1;
  if (g.tags.length) e.tags = tagString(g);
  if (g.lock) e.lock = g.lock;
  if (g.type === 'lxc' && !forResources) {
    e.maxswap = 512 * 1024 * 1024;
    e.type = 'lxc';
  }
  return e;
}

export function nodeEntry(n: NodeState, now: number, audit: boolean): Record<string, unknown> {
  const e: Record<string, unknown> = { id: `node/${n.name}`, node: n.name, type: 'node', status: isOffline(n) ? 'offline' : 'online' };
  if (isOffline(n)) return e;
  e.level = n.subscription.status === 'active' ? (n.subscription.level ?? 'c') : '';
  if (audit) {
    const u = nodeUsage(n, now);
    Object.assign(e, { uptime: u.uptime, cpu: u.cpu, mem: u.mem, disk: u.rootUsed, maxcpu: n.cpus, maxmem: n.memory, maxdisk: n.rootfs });
  }
  e['cgroup-mode'] = 2;
  return e;
}

export function storageEnabledOn(s: StorageState, nodeName: string): boolean {
  return !s.nodes || s.nodes.includes(nodeName);
}

export function storageFigures(remote: PveState, s: StorageState, n: NodeState, now: number): { total: number; used: number; avail: number } {
  // Local storages differ per node (each node has its own disk); shared ones are one pool.
  const factor = s.shared ? 1 : 0.85 + ((n.seed + s.id.length) % 30) / 100;
  const used = Math.min(s.total, Math.round(storageUsed(s, now, remote) * (s.shared ? 1 : Math.min(factor, s.total ? s.total / Math.max(1, s.used) : 1))));
  return { total: s.total, used, avail: Math.max(0, s.total - used) };
}

export function userCanSeeStorage(ctx: Ctx, id: string): boolean {
  return ctx.auth?.has(`/storage/${id}`, ['Datastore.Audit', 'Datastore.AllocateSpace'], true) ?? false;
}
