// The simulated datacenter's state: PVE clusters (nodes, guests, storages, pools, backup jobs)
// and PBS hosts (datastores, snapshots, jobs), the credentials each accepts, and the tasks
// they run. Built once from a scenario; handlers read it lazily per request (usage that moves
// over time is computed from the clock, never stored per tick), so 50,000 guests cost memory
// for their records only.
import type { Fault, Product } from './types.ts';
import type { CredentialSpec, PbsRemoteSpec, PveRemoteSpec, Scenario } from './scenario.ts';
import { hash32, hex, mulberry32, pick, uuid } from './rng.ts';
import type { Rng } from './rng.ts';
import type { NodeCertificate } from './certs.ts';
import { TaskEngine } from './tasks.ts';

export const GiB = 1024 ** 3;

export interface AclEntry {
  path: string;
  role: string;
  propagate: boolean;
}

export interface Principal {
  name: string;
  kind: 'token' | 'password';
  /** user@realm, or user@realm!token for a token. */
  authid: string;
  userid: string;
  secret: string;
  acl: AclEntry[];
  limited?: string;
}

export interface AptPackage {
  Package: string;
  Title: string;
  Description: string;
  OldVersion: string;
  Version: string;
  Origin: string;
  Priority: string;
  Section: string;
  Arch: string;
}

export interface NodeState {
  name: string;
  product: Product;
  remote: RemoteState;
  nodeid: number;
  cpus: number;
  sockets: number;
  cpuModel: string;
  memory: number;
  rootfs: number;
  swap: number;
  bootAt: number;
  kernel: string;
  subscription: { status: 'active' | 'notfound' | 'expired' | 'invalid' | 'suspended' | 'new'; key?: string; level?: string; nextduedate?: string; regdate?: string; serverid: string; checktime?: number };
  updates: AptPackage[];
  /** Set when an `apt update` last ran (seconds). */
  aptCheckedAt: number;
  enterpriseRepo: boolean;
  /** Fault from the scenario or the control endpoint, and when it was set (ms). */
  fault: Fault | null;
  faultSince: number;
  seed: number;
  /** Filled in when its server listens. */
  host: string;
  port: number;
  cert: NodeCertificate;
  /** The certificate served while a cert-changed fault is set (made when first needed). */
  altCert?: NodeCertificate;
}

export interface Guest {
  vmid: number;
  type: 'qemu' | 'lxc';
  name: string;
  node: string;
  status: 'running' | 'stopped';
  pool?: string;
  tags: string[];
  template: boolean;
  cores: number;
  memory: number;
  maxdisk: number;
  storage: string;
  ostype: string;
  localResources: string[];
  lock?: string;
  ha: boolean;
  noBackup: boolean;
  /** ms epoch of the last start (uptime). */
  startedAt: number;
  seed: number;
  mac: string;
  smbiosUuid: string;
  vmgenid: string;
  /** A task that holds the guest (migration), as PVE's config lock does. */
  busy?: string;
}

export interface StorageState {
  id: string;
  type: string;
  content: string[];
  shared: boolean;
  nodes?: string[];
  total: number;
  used: number;
  pbs?: { remote: string; datastore: string; namespace?: string };
  /** vzdump archives on a file storage: volid → metadata. */
  files: { volid: string; vmid: number; ctime: number; size: number; format: string; notes?: string }[];
}

export interface BackupJob {
  id: string;
  storage: string;
  schedule: string;
  enabled: boolean;
  mode: string;
  all: boolean;
  pool?: string;
  vmid?: number[];
  comment?: string;
}

export interface PveState {
  type: 'pve';
  id: string;
  preAdded: boolean;
  cluster?: string;
  version: string;
  release: string;
  repoid: string;
  nodes: NodeState[];
  guests: Map<number, Guest>;
  storages: StorageState[];
  pools: Map<string, { comment?: string }>;
  backupJobs: BackupJob[];
  principals: Principal[];
  ticketKey: string;
  fault: Fault | null;
  faultSince: number;
}

export interface Snapshot {
  ns: string;
  type: 'vm' | 'ct' | 'host';
  id: string;
  time: number;
  size: number;
  files: { filename: string; size: number; 'crypt-mode': 'none' | 'encrypt' | 'sign-only' }[];
  owner: string;
  comment?: string;
  verification?: { state: 'ok' | 'failed'; upid: string };
  protected: boolean;
}

export interface Datastore {
  name: string;
  path: string;
  total: number;
  used: number;
  gcSchedule: string;
  gcError?: string;
  /** Set by tests: the datastore cannot be opened (unmounted disk, missing chunk store) — this message. */
  unavailable?: string;
  comment?: string;
  snapshots: Snapshot[];
  /** Namespaces declared by the scenario; those holding snapshots exist without it. */
  namespaces: string[];
  keepDaily: number;
  verifyFailed: boolean;
  /** UPIDs of the last job runs (gc, verify, prune). */
  last: Record<string, string | undefined>;
}

export interface SyncJob {
  id: string;
  store: string;
  remote: string;
  'remote-store': string;
  schedule: string;
  lastError?: string;
  lastUpid?: string;
}

export interface PbsState {
  type: 'pbs';
  id: string;
  preAdded: boolean;
  version: string;
  release: string;
  repoid: string;
  nodes: [NodeState];
  datastores: Datastore[];
  syncJobs: SyncJob[];
  principals: Principal[];
  ticketKey: string;
  fault: Fault | null;
  faultSince: number;
}

export type RemoteState = PveState | PbsState;

export interface WorldOptions {
  /** Task durations are divided by this (1 = realistic; tests use 20–1000). */
  taskSpeed: number;
  /** Added to every answer, ms. */
  latencyMs: number;
  /** Proxmox delays 401s by 3 s; the library defaults to 0 so tests stay fast. */
  authFailureDelayMs: number;
  seed: number;
  /** A function of time, so tests can move it; defaults to Date.now. */
  now?: () => number;
}

export class World {
  readonly remotes = new Map<string, RemoteState>();
  readonly tasks: TaskEngine;
  readonly rng: Rng;

  constructor(readonly opts: WorldOptions) {
    this.rng = mulberry32(opts.seed);
    this.tasks = new TaskEngine(this);
  }

  now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  /** A node's own clock (clock-skew faults move it). */
  nodeNow(node: NodeState): number {
    const f = effectiveFault(node);
    return this.now() + (f?.kind === 'clock-skew' ? f.seconds * 1000 : 0);
  }

  remote(id: string): RemoteState | undefined {
    return this.remotes.get(id);
  }

  /** The certificate the node presents now (another one while a cert-changed fault is set). */
  servedCertificate(node: NodeState): string {
    return (effectiveFault(node)?.kind === 'cert-changed' && node.altCert ? node.altCert : node.cert).cert;
  }

  servedFingerprint(node: NodeState): string {
    return (effectiveFault(node)?.kind === 'cert-changed' && node.altCert ? node.altCert : node.cert).fingerprint;
  }
}

export function effectiveFault(node: NodeState): Fault | null {
  return node.fault ?? node.remote.fault;
}

/** When the node's effective fault was set (ms). */
export function faultSince(node: NodeState): number {
  return node.fault ? node.faultSince : node.remote.faultSince;
}

/** Offline for its cluster peers: down by fault (the node's own or its remote's). */
export function isOffline(node: NodeState): boolean {
  return effectiveFault(node)?.kind === 'down';
}

// ---- building from a scenario -------------------------------------------------------------

const CPU_MODELS = ['AMD EPYC 7543P 32-Core Processor', 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz', 'AMD EPYC 9354 32-Core Processor', 'Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz'];

const PVE_PACKAGES: [string, string, string, string][] = [
  ['pve-manager', '9.1.1', '9.1.2', 'The Proxmox Virtual Environment'],
  ['proxmox-kernel-6.14', '6.14.11-4', '6.14.11-5', 'Latest Proxmox Kernel Image'],
  ['qemu-server', '9.0.29', '9.0.30', 'Qemu Server Tools'],
  ['pve-container', '6.0.15', '6.0.16', 'Proxmox VE Container management tool'],
  ['libpve-common-perl', '9.0.13', '9.0.14', 'Proxmox VE base library'],
  ['openssl', '3.5.1-1', '3.5.1-1+deb13u1', 'Secure Sockets Layer toolkit'],
  ['libc6', '2.41-12', '2.41-12+deb13u1', 'GNU C Library: Shared libraries'],
  ['pve-qemu-kvm', '10.0.2-4', '10.1.2-1', 'Full virtualization on x86 hardware'],
  ['zfsutils-linux', '2.3.4-pve1', '2.3.4-pve2', 'command-line tools to manage OpenZFS filesystems'],
  ['proxmox-backup-client', '4.0.15-1', '4.0.16-1', 'Proxmox Backup Client tools'],
];
const PBS_PACKAGES: [string, string, string, string][] = [
  ['proxmox-backup-server', '4.1.0-1', '4.1.1-1', 'Proxmox Backup Server daemon with tools and GUI'],
  ['proxmox-kernel-6.14', '6.14.11-4', '6.14.11-5', 'Latest Proxmox Kernel Image'],
  ['openssl', '3.5.1-1', '3.5.1-1+deb13u1', 'Secure Sockets Layer toolkit'],
  ['libc6', '2.41-12', '2.41-12+deb13u1', 'GNU C Library: Shared libraries'],
];

function aptPackage(name: string, product: Product): AptPackage {
  const table = product === 'pve' ? PVE_PACKAGES : PBS_PACKAGES;
  const known = table.find((p) => p[0] === name);
  const [, oldV, newV, title] = known ?? [name, '1.0-1', '1.0-2', `${name} package`];
  const proxmox = /pve|proxmox|qemu|zfs/.test(name);
  return {
    Package: name,
    Title: title,
    Description: `${title}.`,
    OldVersion: oldV,
    Version: newV,
    Origin: proxmox ? 'Proxmox' : 'Debian',
    Priority: name === 'libc6' ? 'required' : 'optional',
    Section: name.includes('kernel') ? 'kernel' : proxmox ? 'admin' : 'libs',
    Arch: 'amd64',
  };
}

function principals(rng: Rng, specs: CredentialSpec[]): Principal[] {
  return specs.map((c) => {
    const authid = c.kind === 'token' ? c.tokenid : c.username;
    return {
      name: c.name,
      kind: c.kind,
      authid,
      userid: authid.split('!')[0]!,
      secret: (c.kind === 'token' ? c.secret : c.password) ?? (c.kind === 'token' ? uuid(rng) : `pw-${hex(rng, 16)}`),
      acl: c.acl.map((a) => ({ path: a.path, role: a.role, propagate: a.propagate })),
      ...(c.limited ? { limited: c.limited } : {}),
    };
  });
}

function nodeState(world: World, remote: RemoteState, spec: PveRemoteSpec['nodes'][number], index: number, product: Product): NodeState {
  const seed = hash32(`${remote.id}/${spec.name}/${world.opts.seed}`);
  const rng = mulberry32(seed);
  const now = world.now();
  const sub = spec.subscription;
  const key = product === 'pve' ? `pve${spec.cpus > 64 ? 4 : 2}c-${hex(rng, 10)}` : `pbss-${hex(rng, 10)}`;
  return {
    name: spec.name,
    product,
    remote,
    nodeid: index + 1,
    cpus: spec.cpus,
    sockets: spec.cpus >= 64 ? 2 : 1,
    cpuModel: pick(rng, CPU_MODELS),
    memory: Math.round(spec.memoryGiB * GiB),
    rootfs: 98 * GiB,
    swap: 8 * GiB,
    bootAt: now - Math.floor((5 + rng() * 80) * 86_400_000),
    kernel: '6.14.11-4-pve',
    subscription: {
      status: sub,
      serverid: hex(rng, 32).toUpperCase(),
      ...(sub === 'notfound' || sub === 'new' ? {} : { key, level: 'c', regdate: '2025-03-01 00:00:00', nextduedate: sub === 'expired' ? '2026-01-31' : '2027-03-01', checktime: Math.floor(now / 1000) - 86_400 }),
    },
    updates: spec.updates.map((n) => aptPackage(n, product)),
    aptCheckedAt: Math.floor(now / 1000) - 3600 * 5,
    enterpriseRepo: spec.enterpriseRepo,
    fault: spec.down ? { kind: 'down' } : (spec.fault ?? null),
    faultSince: now,
    seed,
    host: '127.0.0.1',
    port: 0,
    cert: undefined as unknown as NodeCertificate,
  };
}

const OSTYPES = { qemu: ['l26', 'l26', 'l26', 'win11', 'win10', 'other'], lxc: ['debian', 'ubuntu', 'alpine', 'rockylinux'] } as const;

function buildPve(world: World, spec: PveRemoteSpec): PveState {
  const rng = mulberry32(hash32(`${spec.id}/${world.opts.seed}`));
  const remote: PveState = {
    type: 'pve',
    id: spec.id,
    preAdded: spec.preAdded,
    version: spec.version,
    release: spec.version.split('.').slice(0, 2).join('.'),
    repoid: hex(rng, 16),
    nodes: [],
    guests: new Map(),
    storages: [],
    pools: new Map(spec.pools.map((p) => [p.id, p.comment ? { comment: p.comment } : {}])),
    backupJobs: spec.backupJobs.map((j) => ({ ...j })),
    principals: principals(rng, spec.credentials),
    ticketKey: hex(rng, 32),
    fault: spec.fault ?? null,
    faultSince: world.now(),
    ...(spec.cluster ? { cluster: spec.cluster } : {}),
  };
  remote.nodes = spec.nodes.map((n, i) => nodeState(world, remote, n, i, 'pve'));
  const now = world.now();
  for (const g of spec.guests) {
    const seed = hash32(`${spec.id}/${g.vmid}`);
    const grng = mulberry32(seed);
    const node = remote.nodes.find((n) => n.name === g.node);
    if (!node) throw new Error(`${spec.id}: guest ${g.vmid} on unknown node ${g.node}`);
    if (remote.guests.has(g.vmid)) throw new Error(`${spec.id}: vmid ${g.vmid} used twice`);
    remote.guests.set(g.vmid, {
      vmid: g.vmid,
      type: g.type,
      name: g.name,
      node: g.node,
      status: g.template ? 'stopped' : g.status,
      tags: g.tags,
      template: g.template,
      cores: g.cores,
      memory: Math.round(g.memoryGiB * GiB),
      maxdisk: Math.round(g.diskGiB * GiB),
      storage: g.storage,
      ostype: g.ostype ?? pick(grng, OSTYPES[g.type]),
      localResources: g.localResources,
      ha: g.ha,
      noBackup: g.noBackup,
      startedAt: Math.min(node.bootAt + 120_000, now) + Math.floor(grng() * Math.max(0, now - node.bootAt - 120_000)),
      seed,
      mac: `BC:24:11:${hex(grng, 6).toUpperCase().match(/../g)!.join(':')}`,
      smbiosUuid: uuid(grng),
      vmgenid: uuid(grng),
      ...(g.pool ? { pool: g.pool } : {}),
      ...(g.lock ? { lock: g.lock } : {}),
    });
    if (g.pool && !remote.pools.has(g.pool)) remote.pools.set(g.pool, {});
  }
  remote.storages = spec.storages.map((s) => ({
    id: s.id,
    type: s.type,
    content: s.content,
    shared: s.shared || ['rbd', 'cephfs', 'nfs', 'cifs', 'pbs'].includes(s.type),
    total: Math.round(s.totalGiB * GiB),
    used: Math.round(s.usedGiB * GiB),
    files: [],
    ...(s.nodes ? { nodes: s.nodes } : {}),
    ...(s.pbs ? { pbs: { remote: s.pbs.remote, datastore: s.pbs.datastore, namespace: s.pbs.namespace } } : {}),
  }));
  return remote;
}

function buildPbs(world: World, spec: PbsRemoteSpec): PbsState {
  const rng = mulberry32(hash32(`${spec.id}/${world.opts.seed}`));
  const remote: PbsState = {
    type: 'pbs',
    id: spec.id,
    preAdded: spec.preAdded,
    version: spec.version,
    release: spec.version.split('.').slice(0, 2).join('.'),
    repoid: hex(rng, 16),
    nodes: undefined as unknown as [NodeState],
    datastores: spec.datastores.map((d) => ({
      name: d.name,
      path: d.path ?? `/mnt/datastore/${d.name}`,
      total: Math.round(d.totalGiB * GiB),
      used: Math.round(d.usedGiB * GiB),
      gcSchedule: d.gcSchedule,
      keepDaily: d.keepDaily,
      snapshots: [],
      namespaces: [...d.namespaces],
      verifyFailed: spec.verifyFailures.includes(d.name),
      last: {},
      ...(d.gcError ? { gcError: d.gcError } : {}),
      ...(d.comment ? { comment: d.comment } : {}),
    })),
    syncJobs: spec.syncJobs.map((s) => ({ ...s })),
    principals: principals(rng, spec.credentials),
    ticketKey: hex(rng, 32),
    fault: spec.fault ?? null,
    faultSince: world.now(),
  };
  remote.nodes = [nodeState(world, remote, spec.node, 0, 'pbs')];
  return remote;
}

/** Past backups: each guest a backup job covers gets one per day, kept `keepDaily` days. */
function seedBackups(world: World): void {
  const now = Math.floor(world.now() / 1000);
  const today = now - (now % 86_400);
  for (const remote of world.remotes.values()) {
    if (remote.type !== 'pve') continue;
    for (const job of remote.backupJobs) {
      if (!job.enabled) continue;
      const storage = remote.storages.find((s) => s.id === job.storage);
      if (!storage) continue;
      const guests = [...remote.guests.values()].filter((g) => !g.template && !g.noBackup && jobCovers(job, g));
      const [hh, mm] = /^(\d{1,2}):(\d{2})$/.exec(job.schedule)?.slice(1).map(Number) ?? [21, 0];
      const pbs = storage.pbs ? world.remotes.get(storage.pbs.remote) : undefined;
      const ds = pbs?.type === 'pbs' ? pbs.datastores.find((d) => d.name === storage.pbs!.datastore) : undefined;
      const days = ds?.keepDaily ?? 3;
      const owner = pbs?.type === 'pbs' ? pbsOwner(pbs) : '';
      // A guest's archives are the same every day, and one verify task a day covers all of
      // its snapshots: shared, so that 50,000 guests' snapshots stay cheap to build and hold.
      const archives = new Map<Guest, { files: Snapshot['files']; size: number }>();
      const size = (g: Guest) => Math.round(g.maxdisk * (0.15 + (g.seed % 50) / 100));
      if (ds) {
        for (const g of guests) {
          const s = size(g);
          const files = g.type === 'qemu'
            ? [{ filename: 'qemu-server.conf.blob', size: 600, 'crypt-mode': 'none' as const }, { filename: 'drive-scsi0.img.fidx', size: s, 'crypt-mode': 'none' as const }, { filename: 'index.json.blob', size: 500, 'crypt-mode': 'none' as const }]
            : [{ filename: 'pct.conf.blob', size: 300, 'crypt-mode': 'none' as const }, { filename: 'root.pxar.didx', size: s, 'crypt-mode': 'none' as const }, { filename: 'catalog.pcat1.didx', size: 90_000, 'crypt-mode': 'none' as const }, { filename: 'index.json.blob', size: 500, 'crypt-mode': 'none' as const }];
          archives.set(g, { files, size: files.reduce((a, f) => a + f.size, 0) });
        }
      }
      for (let d = days; d >= 1; d--) {
        let t = today - d * 86_400 + hh! * 3600 + mm! * 60;
        const verifyUpid = ds ? fakeVerifyUpid(pbs as PbsState, ds.name, t + 7200) : '';
        const verified = { ok: { state: 'ok' as const, upid: verifyUpid }, failed: { state: 'failed' as const, upid: verifyUpid } };
        for (const g of guests) {
          t += 30 + (g.seed % 200);
          if (ds) {
            const type = g.type === 'qemu' ? 'vm' : 'ct';
            const a = archives.get(g)!;
            const failed = ds.verifyFailed && d === days && g.seed % 3 === 0;
            ds.snapshots.push({
              ns: storage.pbs!.namespace ?? '',
              type,
              id: String(g.vmid),
              time: t,
              size: a.size,
              files: a.files,
              owner,
              comment: g.name,
              protected: false,
              ...(d > 1 || failed ? { verification: failed ? verified.failed : verified.ok } : {}),
            });
          } else {
            const stamp = new Date(t * 1000).toISOString().replace(/[-:]/g, (c) => (c === '-' ? '_' : '_')).replace('T', '-').slice(0, 19);
            const ext = g.type === 'qemu' ? 'vma.zst' : 'tar.zst';
            storage.files.push({ volid: `${storage.id}:backup/vzdump-${g.type}-${g.vmid}-${stamp}.${ext}`, vmid: g.vmid, ctime: t, size: size(g), format: ext, notes: g.name });
          }
        }
      }
    }
  }
}

function pbsOwner(pbs: PbsState): string {
  return pbs.principals.find((p) => p.kind === 'token')?.authid ?? 'root@pam';
}

function fakeVerifyUpid(pbs: PbsState, store: string, t: number): string {
  return `UPID:${pbs.nodes[0].name}:000003E8:00000064:00000001:${t.toString(16).toUpperCase().padStart(8, '0')}:verificationjob:${store}\\x3av-${store}:root@pam:`;
}

/** vzdump's get_included_guests: `all` minus the job's exclude list (the guests marked noBackup). */
export function jobCovers(job: BackupJob, g: Guest): boolean {
  if (job.all) return !g.noBackup;
  if (job.pool) return g.pool === job.pool;
  return job.vmid?.includes(g.vmid) ?? false;
}

export function buildWorld(scenario: Scenario, opts: WorldOptions): World {
  const world = new World(opts);
  for (const r of scenario.remotes) {
    if (world.remotes.has(r.id)) throw new Error(`remote id ${r.id} used twice`);
    world.remotes.set(r.id, r.type === 'pve' ? buildPve(world, r) : buildPbs(world, r));
  }
  seedBackups(world);
  world.tasks.seedHistory();
  return world;
}

export function findNode(remote: RemoteState, name: string): NodeState | undefined {
  // PBS answers for its own name and for "localhost".
  if (remote.type === 'pbs') return name === 'localhost' || name === remote.nodes[0].name ? remote.nodes[0] : undefined;
  return remote.nodes.find((n) => n.name === name);
}
