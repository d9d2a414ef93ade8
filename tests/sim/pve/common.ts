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
  // Built by assignment, not spreads: this runs 50,000 times per scale-scenario sweep and
  // object literals with spreads in the middle are an order of magnitude slower in V8.
  const e: Record<string, unknown> = {};
  if (forResources) {
    e.id = `${g.type}/${g.vmid}`;
    e.type = g.type;
    e.node = g.node;
  }
  e.vmid = g.vmid;
  const host = forResources ? remote.nodes.find((n) => n.name === g.node) : undefined;
  if (host && isOffline(host)) {
    // No fresh status from a node that is down: only what the cluster file system knows.
    e.status = 'unknown';
    if (g.tags.length) e.tags = tagString(g);
    if (g.lock) e.lock = g.lock;
    return e;
  }
  const u = guestUsage(g, now);
  e.name = g.name;
  e.status = g.status;
  e.uptime = u.uptime;
  if (forResources) {
    e.template = g.template ? 1 : 0;
    e.maxcpu = g.cores;
  } else e.cpus = g.cores;
  e.cpu = u.cpu;
  e.maxmem = g.memory;
  e.mem = u.mem;
  e.maxdisk = g.maxdisk;
  e.disk = u.disk;
  e.netin = u.netin;
  e.netout = u.netout;
  e.diskread = u.diskread;
  e.diskwrite = u.diskwrite;
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
