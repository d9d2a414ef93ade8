// Usage that moves: CPU, memory, disk and network of guests and nodes as smooth functions of
// time (a daily wave plus noise, per-object phase from its seed). Nothing is stored per tick;
// the same functions give the current value and every RRD point, so they always agree.
import { noise } from './rng.ts';
import type { Guest, NodeState, PveState, StorageState } from './state.ts';
import { GiB } from './state.ts';

const DAY = 86_400;

/** 0..1 daily load wave for an object: busier in working hours of its phase. */
function wave(seed: number, tS: number): number {
  const phase = (seed % 1000) / 1000;
  return 0.5 + 0.5 * Math.sin(2 * Math.PI * (tS / DAY + phase));
}

function jitter(seed: number, tS: number, step = 10): number {
  return noise(seed, Math.floor(tS / step));
}

export interface GuestUsage {
  cpu: number;
  mem: number;
  disk: number;
  netin: number;
  netout: number;
  diskread: number;
  diskwrite: number;
  uptime: number;
}

/** Base load in 0..1 of the guest's CPUs: most guests idle, a few busy. */
function baseLoad(seed: number): number {
  const r = (seed % 997) / 997;
  return r < 0.7 ? 0.02 + r * 0.1 : r < 0.95 ? 0.1 + (r - 0.7) * 1.2 : 0.6 + (r - 0.95) * 7;
}

export function guestUsage(g: Guest, nowMs: number): GuestUsage {
  const tS = nowMs / 1000;
  if (g.status !== 'running') return { cpu: 0, mem: 0, disk: g.type === 'lxc' ? diskUsed(g) : 0, netin: 0, netout: 0, diskread: 0, diskwrite: 0, uptime: 0 };
  const uptime = Math.max(0, Math.floor((nowMs - g.startedAt) / 1000));
  const load = baseLoad(g.seed);
  const cpu = Math.min(1, load * (0.6 + 0.8 * wave(g.seed, tS)) + 0.03 * jitter(g.seed, tS));
  const memFrac = Math.min(0.97, 0.25 + ((g.seed >>> 8) % 60) / 100 + 0.08 * wave(g.seed >>> 3, tS));
  const rate = 2000 + (g.seed % 50_000) * (0.5 + load);
  return {
    cpu: Math.round(cpu * 1e4) / 1e4,
    mem: Math.round(g.memory * memFrac),
    // PVE reports 0 for a VM's disk without the guest agent; containers report their root fs.
    disk: g.type === 'lxc' ? diskUsed(g) : 0,
    netin: Math.round(rate * uptime),
    netout: Math.round(rate * 0.6 * uptime),
    diskread: Math.round(rate * 3 * uptime),
    diskwrite: Math.round(rate * 1.5 * uptime),
    uptime,
  };
}

function diskUsed(g: Guest): number {
  return Math.round(g.maxdisk * (0.2 + ((g.seed >>> 5) % 70) / 100));
}

export interface NodeUsage {
  cpu: number;
  mem: number;
  uptime: number;
  rootUsed: number;
  swapUsed: number;
  loadavg: [number, number, number];
  iowait: number;
  netin: number;
  netout: number;
}

export function nodeUsage(node: NodeState, nowMs: number): NodeUsage {
  const tS = nowMs / 1000;
  let busyCores = 0.2 + 0.1 * jitter(node.seed, tS);
  let mem = 3 * GiB + node.memory * 0.02;
  let net = 0;
  if (node.remote.type === 'pve') {
    for (const g of node.remote.guests.values()) {
      if (g.node !== node.name || g.status !== 'running') continue;
      const u = guestUsage(g, nowMs);
      busyCores += u.cpu * g.cores;
      mem += u.mem;
      net += 2000 + (g.seed % 50_000);
    }
  } else {
    busyCores += 1.5 * wave(node.seed, tS);
    mem += node.memory * 0.35;
  }
  const cpu = Math.min(1, busyCores / node.cpus);
  return {
    cpu: Math.round(cpu * 1e4) / 1e4,
    mem: Math.min(node.memory, Math.round(mem)),
    uptime: Math.floor((nowMs - node.bootAt) / 1000),
    rootUsed: Math.round(node.rootfs * (0.08 + (node.seed % 20) / 100)),
    swapUsed: Math.round(node.swap * 0.01 * ((node.seed >>> 4) % 5)),
    loadavg: [busyCores, busyCores * 0.95, busyCores * 0.9].map((x) => Math.round(x * 100) / 100) as [number, number, number],
    iowait: Math.round(0.002 * (1 + wave(node.seed, tS)) * 1e4) / 1e4,
    netin: Math.round(net),
    netout: Math.round(net * 0.7),
  };
}

/** Storage usage grows a little through the day (backups land, then get pruned). */
export function storageUsed(s: StorageState, nowMs: number, remote: PveState): number {
  void remote;
  if (s.total === 0) return 0;
  const w = wave(s.id.length * 7919 + s.total % 1000, nowMs / 1000);
  return Math.min(s.total, Math.round(s.used * (0.995 + 0.01 * w)));
}

// ---- RRD --------------------------------------------------------------------------------------

/** PVE's RRAs: step and 70 points per timeframe. */
export const RRD_STEP: Record<string, number> = { hour: 60, day: 1800, week: 10_800, month: 43_200, year: 604_800, decade: 6_048_000 };

export function rrdTimes(timeframe: string, nowMs: number): number[] {
  const step = RRD_STEP[timeframe] ?? 60;
  const end = Math.floor(nowMs / 1000 / step) * step;
  const out: number[] = [];
  for (let i = 69; i >= 0; i--) out.push(end - i * step);
  return out;
}

export function guestRrd(g: Guest, timeframe: string, cf: string, nowMs: number): Record<string, number>[] {
  const step = RRD_STEP[timeframe] ?? 60;
  return rrdTimes(timeframe, nowMs).map((t) => {
    // The guest ran at time t if it was started before (a stopped guest's history is blank).
    const running = g.status === 'running' && t * 1000 >= g.startedAt;
    const u = running ? guestUsage(g, t * 1000) : null;
    const peak = cf === 'MAX' ? 1.3 : 1;
    const point: Record<string, number> = { time: t, maxcpu: g.cores, maxmem: g.memory, maxdisk: g.maxdisk, disk: g.type === 'lxc' ? diskUsed(g) : 0 };
    if (u) {
      const rate = 2000 + (g.seed % 50_000) * (0.5 + baseLoad(g.seed));
      Object.assign(point, {
        cpu: Math.min(1, u.cpu * peak),
        mem: u.mem,
        netin: rate * peak,
        netout: rate * 0.6 * peak,
        diskread: rate * 3 * peak,
        diskwrite: rate * 1.5 * peak,
      });
      if (g.type === 'qemu') point.memhost = Math.round(u.mem * 1.05);
    }
    void step;
    return point;
  });
}

export function nodeRrd(node: NodeState, timeframe: string, cf: string, nowMs: number): Record<string, number>[] {
  return rrdTimes(timeframe, nowMs).map((t): Record<string, number> => {
    if (t * 1000 < node.bootAt) return { time: t };
    const u = nodeUsage(node, t * 1000);
    const peak = cf === 'MAX' ? 1.2 : 1;
    return {
      time: t,
      cpu: Math.min(1, u.cpu * peak),
      maxcpu: node.cpus,
      iowait: u.iowait,
      loadavg: u.loadavg[0],
      memtotal: node.memory,
      memused: u.mem,
      memavailable: node.memory - u.mem,
      swaptotal: node.swap,
      swapused: u.swapUsed,
      roottotal: node.rootfs,
      rootused: u.rootUsed,
      netin: u.netin * peak,
      netout: u.netout * peak,
    };
  });
}
