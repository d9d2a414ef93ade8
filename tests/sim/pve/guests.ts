// PVE guests: per-node lists, status, power actions, config, RRD data, migration within the
// cluster (with the local-disk and local-device rules) and remote migration to another
// simulated cluster. Error messages and where they surface (HTTP error vs failed task) follow
// qemu-server's API2/Qemu.pm and pve-container's API2/LXC{,/Status}.pm.
import type { Ctx, RouteTable } from '../router.ts';
import { fail, paramError } from '../http-error.ts';
import type { Guest, NodeState, PveState } from '../state.ts';
import { GiB, findNode, isOffline } from '../state.ts';
import { guestRrd } from '../usage.ts';
import { Auth, checkToken } from '../auth.ts';
import { digest, guest, guestEntry, node, nowMs, pve, storageEnabledOn, tagString } from './common.ts';

type Kind = 'qemu' | 'lxc';
const label = (k: Kind) => (k === 'qemu' ? 'VM' : 'CT');

function list(kind: Kind) {
  return (ctx: Ctx): unknown[] => {
    const r = pve(ctx);
    const n = node(ctx);
    const now = nowMs(ctx);
    const out = [];
    for (const g of r.guests.values()) {
      if (g.node !== n.name || g.type !== kind || !ctx.auth!.canSeeGuest(g)) continue;
      const e = guestEntry(r, g, now, false);
      if (kind === 'qemu' && g.status === 'running') e.pid = 1000 + (g.seed % 4_000_000);
      out.push(e);
    }
    return out;
  };
}

function current(kind: Kind) {
  return (ctx: Ctx): unknown => {
    const r = pve(ctx);
    const g = guest(ctx, kind);
    const e = guestEntry(r, g, nowMs(ctx), false);
    e.ha = g.ha ? { managed: 1, state: g.status === 'running' ? 'started' : 'stopped', group: undefined } : { managed: 0 };
    if (g.ha) delete (e.ha as Record<string, unknown>).group;
    if (kind === 'qemu') {
      e.qmpstatus = g.status === 'running' ? 'running' : 'stopped';
      e.agent = 1;
      if (g.status === 'running') {
        e.pid = 1000 + (g.seed % 4_000_000);
        e['running-machine'] = 'pc-i440fx-10.0+pve0';
        e['running-qemu'] = '10.0.2';
      }
    }
    return e;
  };
}

function lockCheck(g: Guest): string | undefined {
  const lock = g.busy ?? g.lock;
  return lock ? `${g.type === 'qemu' ? 'VM' : 'CT'} is locked (${lock})` : undefined;
}

type Action = 'start' | 'stop' | 'shutdown' | 'reboot';

const DURATION: Record<Action, number> = { start: 3000, stop: 1500, shutdown: 8000, reboot: 10_000 };

function action(kind: Kind, act: Action) {
  return (ctx: Ctx): string => {
    const g = guest(ctx, kind);
    const running = g.status === 'running';
    // Checks made before the worker forks (an HTTP error, no task).
    if (act === 'reboot' && !running) throw fail(`VM ${g.vmid} not running`);
    if (kind === 'lxc' && act === 'start' && running) throw fail(`CT ${g.vmid} already running`);
    if (kind === 'lxc' && (act === 'stop' || act === 'shutdown') && !running) throw fail(`CT ${g.vmid} not running`);
    const prefix = kind === 'qemu' ? 'qm' : 'vz';
    const ha = g.ha && (act === 'start' || act === 'stop' || act === 'shutdown');
    const type = ha ? (act === 'start' ? 'hastart' : 'hastop') : `${prefix}${act}`;
    let error: string | undefined = lockCheck(g);
    if (!error && act === 'start' && running) error = `VM ${g.vmid} already running`;
    if (!error && act === 'start' && g.template) error = kind === 'qemu' ? `you can't start a vm if it's a template` : `you can't start a CT if it's a template`;
    const lines: string[] = [];
    if (ha) lines.push(`Requesting HA ${act === 'start' ? 'start' : 'stop'} for VM ${g.vmid}`);
    else if (act === 'start' && kind === 'qemu' && !error) lines.push(`generating cloud-init ISO`);
    else if (act === 'shutdown' && kind === 'qemu' && running) lines.push(`VM ${g.vmid} is shutting down`);
    const t = ctx.world.tasks.start({
      remote: ctx.remote,
      node: g.node,
      type,
      id: String(g.vmid),
      user: ctx.auth!.authid,
      durationMs: error ? 400 : DURATION[act],
      lines,
      ...(error ? { error } : {}),
      finish: () => {
        if (act === 'start') {
          g.status = 'running';
          g.startedAt = ctx.world.now();
        } else if (act === 'reboot') {
          g.startedAt = ctx.world.now();
        } else {
          g.status = 'stopped';
        }
      },
    });
    return t.upid;
  };
}

function qemuConfig(g: Guest): Record<string, unknown> {
  const size = `${Math.round(g.maxdisk / GiB)}G`;
  const c: Record<string, unknown> = {
    name: g.name,
    boot: 'order=scsi0;ide2;net0',
    cores: g.cores,
    sockets: 1,
    cpu: 'x86-64-v2-AES',
    memory: String(Math.round(g.memory / 1024 / 1024)),
    numa: 0,
    ostype: g.ostype,
    scsihw: 'virtio-scsi-single',
    scsi0: `${g.storage}:vm-${g.vmid}-disk-0,iothread=1,size=${size}`,
    ide2: 'none,media=cdrom',
    net0: `virtio=${g.mac},bridge=vmbr0,firewall=1`,
    smbios1: `uuid=${g.smbiosUuid}`,
    vmgenid: g.vmgenid,
    meta: `creation-qemu=9.2.0,ctime=${Math.floor(g.startedAt / 1000) - 86_400 * 60}`,
    agent: '1',
    onboot: g.status === 'running' ? 1 : 0,
  };
  if (g.ostype.startsWith('win')) Object.assign(c, { bios: 'ovmf', machine: 'pc-q35-10.0', efidisk0: `${g.storage}:vm-${g.vmid}-disk-1,efitype=4m,pre-enrolled-keys=1,size=4M`, tpmstate0: `${g.storage}:vm-${g.vmid}-disk-2,size=4M,version=v2.0` });
  g.localResources.forEach((res, i) => (c[res.replace(/\d*$/, String(i))] = res.startsWith('usb') ? 'host=1234:5678' : '0000:81:00.0,pcie=1'));
  if (g.tags.length) c.tags = tagString(g);
  if (g.template) c.template = 1;
  if (g.lock) c.lock = g.lock;
  if (g.busy) c.lock = g.busy;
  c.digest = digest(c);
  return c;
}

function lxcConfig(g: Guest): Record<string, unknown> {
  const c: Record<string, unknown> = {
    arch: 'amd64',
    cores: g.cores,
    hostname: g.name,
    memory: Math.round(g.memory / 1024 / 1024),
    swap: 512,
    net0: `name=eth0,bridge=vmbr0,firewall=1,hwaddr=${g.mac},ip=dhcp,type=veth`,
    ostype: g.ostype,
    rootfs: `${g.storage}:vm-${g.vmid}-disk-0,size=${Math.round(g.maxdisk / GiB)}G`,
    unprivileged: 1,
    features: 'nesting=1',
    onboot: g.status === 'running' ? 1 : 0,
  };
  if (g.tags.length) c.tags = tagString(g);
  if (g.template) c.template = 1;
  if (g.lock ?? g.busy) c.lock = g.busy ?? g.lock;
  c.digest = digest(c);
  return c;
}

// ---- migration ----------------------------------------------------------------------------

function localDisks(r: PveState, g: Guest): { volid: string; size: number; cdrom: number; is_unused: number; referenced_in_config: number; is_attached: number; is_tpmstate: number; replicate: number; drivename: string }[] {
  const s = r.storages.find((x) => x.id === g.storage);
  if (!s || s.shared) return [];
  return [{ volid: `${s.id}:vm-${g.vmid}-disk-0`, size: g.maxdisk, cdrom: 0, is_unused: 0, referenced_in_config: 1, is_attached: 1, is_tpmstate: 0, replicate: 1, drivename: g.type === 'qemu' ? 'scsi0' : 'rootfs' }];
}

function precondition(kind: Kind) {
  return (ctx: Ctx): unknown => {
    const r = pve(ctx);
    const g = guest(ctx, kind);
    const lock = lockCheck(g);
    if (lock) throw fail(lock);
    const allowed: string[] = [];
    const notAllowed: Record<string, { unavailable_storages: string[] }> = {};
    for (const n of r.nodes) {
      if (n.name === g.node) continue;
      const missing = r.storages.filter((s) => s.id === g.storage && !storageEnabledOn(s, n.name)).map((s) => s.id);
      if (missing.length) notAllowed[n.name] = { unavailable_storages: missing };
      else allowed.push(n.name);
    }
    if (kind === 'lxc') {
      // pve-container only reports HA blockers; storage problems surface when migrating.
      return { running: g.status === 'running' ? 1 : 0, 'allowed-nodes': r.nodes.filter((n) => n.name !== g.node).map((n) => n.name), 'not-allowed-nodes': {} };
    }
    const res: Record<string, unknown> = { running: g.status === 'running' ? 1 : 0, allowed_nodes: allowed, not_allowed_nodes: notAllowed };
    {
      res.local_disks = localDisks(r, g).map(({ volid, size, cdrom, is_unused }) => ({ volid, size, cdrom, is_unused }));
      res.local_resources = [...g.localResources];
      res['mapped-resources'] = [];
      res['mapped-resource-info'] = {};
      res['has-dbus-vmstate'] = 1;
    }
    return res;
  };
}

/** Log lines of a migration carry wall-clock stamps, as PVE's migration logs do. */
function stamp(ctx: Ctx): string {
  return new Date(ctx.world.now()).toISOString().replace('T', ' ').slice(0, 19);
}

/** Starts the qmigrate/vzmigrate worker of a (remote) migration. */
function migrationTask(ctx: Ctx, kind: Kind, g: Guest, durationMs: number, lines: string[], error: string | undefined, finish: () => string | void): string {
  return ctx.world.tasks.start({
    remote: ctx.remote,
    node: g.node,
    type: kind === 'qemu' ? 'qmigrate' : 'vzmigrate',
    id: String(g.vmid),
    user: ctx.auth!.authid,
    durationMs,
    lines,
    ...(error ? { error: error.startsWith('migration aborted') ? error : `migration aborted (duration 00:00:02): ${error}` } : {}),
    finish,
  }).upid;
}

function fmtDuration(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((x) => String(x).padStart(2, '0')).join(':');
}

function migrate(kind: Kind) {
  return (ctx: Ctx): string => {
    const r = pve(ctx);
    const g = guest(ctx, kind);
    const p = ctx.params;
    const targetName = String(p.target);
    if (targetName === g.node) throw paramError({ target: 'target is local node.' });
    const target = findNode(r, targetName);
    if (!target) throw fail(`no such cluster node '${targetName}'`);
    const lock = lockCheck(g);
    if (lock) throw fail(lock);
    const running = g.status === 'running';
    if (kind === 'qemu' && running && !p.online) throw fail(`can't migrate running VM without --online`);
    if (kind === 'lxc' && running && !p.online && !p.restart) throw fail(`can't migrate running container without --online or --restart`);
    const storage = r.storages.find((s) => s.id === g.storage);
    if (storage && !storageEnabledOn(storage, targetName) && !p.targetstorage && !p['target-storage']) throw fail(`storage '${storage.id}' is not available on node '${targetName}'`);

    const disks = localDisks(r, g);
    let error: string | undefined;
    if (isOffline(target)) error = `migration aborted (duration 00:00:03): Can't connect to destination address using public key`;
    else if (kind === 'qemu' && g.localResources.length && !p.force) error = `can't migrate VM which uses local devices: ${g.localResources.join(', ')}`;
    else if (kind === 'qemu' && running && disks.length && !p['with-local-disks']) error = `can't live migrate attached local disks without with-local-disks option`;
    else if (kind === 'lxc' && running && p.online) error = `lxc live migration is currently not implemented`;

    const online = kind === 'qemu' && running;
    const copyMs = disks.reduce((a, d) => a + (d.size / GiB) * 400, 0);
    const durationMs = error ? 2500 : (online ? 12_000 + (g.memory / GiB) * 1500 : 6000) + copyMs + (kind === 'lxc' && running ? 8000 : 0);
    const lines = [`${stamp(ctx)} starting migration of ${label(kind)} ${g.vmid} to node '${targetName}' (${target.host})`];
    for (const d of disks) lines.push(`${stamp(ctx)} found local disk '${d.volid}' (attached)`);
    if (error) lines.push(`${stamp(ctx)} ERROR: ${error}`, `${stamp(ctx)} aborting phase 1 - cleanup resources`, `${stamp(ctx)} ERROR: migration aborted (duration 00:00:02): ${error}`);
    else {
      if (kind === 'lxc' && running) lines.push(`${stamp(ctx)} shutdown CT ${g.vmid}`);
      if (disks.length) lines.push(`${stamp(ctx)} copying local disk images`);
      if (online) lines.push(`${stamp(ctx)} starting VM ${g.vmid} on remote node '${targetName}'`, `${stamp(ctx)} start remote tunnel`, `${stamp(ctx)} migration active, transferred ${Math.round(g.memory / GiB / 2)} GiB of ${Math.round(g.memory / GiB)} GiB VM-state, 1.1 GiB/s`, `${stamp(ctx)} migration completed, transferred ${Math.round(g.memory / GiB)} GiB VM-state`);
      if (kind === 'lxc' && running) lines.push(`${stamp(ctx)} start final cleanup`, `${stamp(ctx)} start container on target node`);
      lines.push(`${stamp(ctx)} migration finished successfully (duration ${fmtDuration(durationMs)})`);
    }
    if (!error) g.busy = 'migrate';
    return migrationTask(ctx, kind, g, durationMs, lines, error, () => {      delete g.busy;
      g.node = targetName;
      if (kind === 'lxc' && running) g.startedAt = ctx.world.now();
    });
  };
}

/** `host=…,port=…,apitoken=PVEAPIToken=…,fingerprint=…` (the `proxmox-remote` format). */
function parseEndpoint(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** `src:dst,src2:dst2` or a single `dst` for all. */
function mapping(s: string, from: string): string | undefined {
  const parts = s.split(/[,;\s]+/).filter(Boolean);
  for (const p of parts) {
    const [a, b] = p.split(':');
    if (b === undefined) return a;
    if (a === from) return b;
  }
  return undefined;
}

function remoteMigrate(kind: Kind) {
  return (ctx: Ctx): string => {
    const r = pve(ctx);
    const g = guest(ctx, kind);
    const p = ctx.params;
    if (g.ha) throw paramError({ vmid: `cannot remote-migrate ${label(kind)} that is configured for HA` });
    const lock = lockCheck(g);
    if (lock) throw fail(lock);
    const running = g.status === 'running';
    if (kind === 'qemu' && running && !p.online) throw fail(`can't migrate running VM without --online`);
    if (kind === 'lxc' && running && !p.restart && !p.online) throw fail(`can't migrate running container without --online or --restart`);
    const targetStorage = mapping(String(p['target-storage']), g.storage);
    if (!targetStorage) throw paramError({ 'target-storage': `failed to parse storage map: no mapping for '${g.storage}'` });
    const bridge = mapping(String(p['target-bridge']), 'vmbr0');
    if (!bridge) throw paramError({ 'target-bridge': `failed to parse bridge map: no mapping for 'vmbr0'` });
    const ep = parseEndpoint(String(p['target-endpoint']));
    const targetVmid = (p['target-vmid'] as number | undefined) ?? g.vmid;

    // Find the simulated node behind the endpoint and check what a real target would.
    let error: string | undefined;
    let dest: { remote: PveState; node: NodeState } | undefined;
    const port = Number(ep.port ?? 8006);
    for (const other of ctx.world.remotes.values()) {
      if (other.type !== 'pve') continue;
      const n = other.nodes.find((x) => x.host === ep.host && x.port === port);
      if (n) dest = { remote: other, node: n };
    }
    const tokenMatch = /^PVEAPIToken=(.+)=([^=]+)$/.exec(ep.apitoken ?? '');
    if (!dest || isOffline(dest.node)) error = `failed to connect to remote: Connection refused`;
    else if (dest.remote === r) error = `target endpoint is the source cluster`;
    else if (ep.fingerprint && ep.fingerprint.toUpperCase() !== ctx.world.servedFingerprint(dest.node)) error = `failed to connect to remote: certificate fingerprint mismatch`;
    else if (!tokenMatch) error = `failed to connect to remote: 401 invalid token value!`;
    else {
      const principal = checkToken(dest.remote, tokenMatch[1]!, tokenMatch[2]!);
      if (!principal) error = `failed to connect to remote: 401 invalid token value!`;
      else if (!new Auth(dest.remote, principal).has(`/vms/${targetVmid}`, ['VM.Allocate'])) error = `remote: 403 Permission check failed (/vms/${targetVmid}, VM.Allocate)`;
      else if (dest.remote.guests.has(targetVmid)) error = `remote: 500 ${label(kind)} ${targetVmid} already exists`;
      else if (!dest.remote.storages.some((s) => s.id === targetStorage && storageEnabledOn(s, dest!.node.name))) error = `remote: storage '${targetStorage}' does not exist on node '${dest.node.name}'`;
    }
    const online = kind === 'qemu' && running;
    const durationMs = error ? 2000 : 20_000 + (g.maxdisk / GiB) * 300 + (online ? (g.memory / GiB) * 1500 : 0);
    const lines = [`${stamp(ctx)} remote: started tunnel worker 'UPID:${dest?.node.name ?? '?'}:…:${kind === 'qemu' ? 'qmtunnel' : 'vztunnel'}:${targetVmid}:${tokenMatch?.[1] ?? ''}:'`];
    if (error) lines.push(`${stamp(ctx)} ERROR: ${error}`);
    else {
      lines.push(`${stamp(ctx)} local WS tunnel version: 2`, `${stamp(ctx)} starting migration of ${label(kind)} ${g.vmid} to node '${dest!.node.name}' (${dest!.node.host})`, `${stamp(ctx)} found local disk '${g.storage}:vm-${g.vmid}-disk-0' (attached)`, `${stamp(ctx)} mapped: net0 from vmbr0 to ${bridge}`, `${stamp(ctx)} drive-${kind === 'qemu' ? 'scsi0' : 'rootfs'}: transferred ${Math.round(g.maxdisk / GiB)} GiB`, `${stamp(ctx)} migration finished successfully (duration ${fmtDuration(durationMs)})`);
      g.busy = 'migrate';
    }
    return migrationTask(ctx, kind, g, durationMs, lines, error, () => {
      delete g.busy;
      const d = dest!;
      // Checked again at the end: another migration may have taken the vmid meanwhile.
      if (d.remote.guests.has(targetVmid)) return `migration aborted: ${label(kind)} ${targetVmid} already exists on the target`;
      const moved: Guest = { ...g, vmid: targetVmid, node: d.node.name, storage: targetStorage, startedAt: online ? g.startedAt : ctx.world.now() };
      delete moved.pool;
      if (!online && !(kind === 'lxc' && running)) moved.status = 'stopped';
      d.remote.guests.set(targetVmid, moved);
      if (p.delete) r.guests.delete(g.vmid);
      else {
        g.status = 'stopped';
        g.lock = 'migrate';
      }
    });
  };
}

function rrd(kind: Kind) {
  return (ctx: Ctx): unknown => {
    const g = guest(ctx, kind);
    return guestRrd(g, String(ctx.params.timeframe), String(ctx.params.cf ?? 'AVERAGE'), nowMs(ctx));
  };
}

function routesFor(kind: Kind): RouteTable {
  const base = `/nodes/{node}/${kind}`;
  return {
    [`GET ${base}`]: list(kind),
    [`GET ${base}/{vmid}/status/current`]: current(kind),
    [`POST ${base}/{vmid}/status/start`]: action(kind, 'start'),
    [`POST ${base}/{vmid}/status/stop`]: action(kind, 'stop'),
    [`POST ${base}/{vmid}/status/shutdown`]: action(kind, 'shutdown'),
    [`POST ${base}/{vmid}/status/reboot`]: action(kind, 'reboot'),
    [`GET ${base}/{vmid}/config`]: (ctx) => (kind === 'qemu' ? qemuConfig(guest(ctx, kind)) : lxcConfig(guest(ctx, kind))),
    [`GET ${base}/{vmid}/migrate`]: precondition(kind),
    [`POST ${base}/{vmid}/migrate`]: migrate(kind),
    [`POST ${base}/{vmid}/remote_migrate`]: remoteMigrate(kind),
    [`GET ${base}/{vmid}/rrddata`]: rrd(kind),
  };
}

export const guestRoutes: RouteTable = { ...routesFor('qemu'), ...routesFor('lxc') };
