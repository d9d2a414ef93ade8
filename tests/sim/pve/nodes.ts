// PVE per-node endpoints: status, subscription, apt (update list, refresh, repositories),
// RRD data, storages (list, status, backup content) and certificate info.
import { createHash } from 'node:crypto';
import type { Ctx, RouteTable } from '../router.ts';
import { fail } from '../http-error.ts';
import { nodeUsage, nodeRrd, rrdTimes } from '../usage.ts';
import type { NodeState } from '../state.ts';
import { node, nowMs, pve, storageEnabledOn, storageFigures, userCanSeeStorage, digest } from './common.ts';

function status(ctx: Ctx): unknown {
  const n = node(ctx);
  const r = pve(ctx);
  const u = nodeUsage(n, nowMs(ctx));
  return {
    uptime: u.uptime,
    idle: 0,
    wait: u.iowait,
    cpu: u.cpu,
    loadavg: u.loadavg.map((x) => x.toFixed(2)),
    kversion: `Linux ${n.kernel} #1 SMP PREEMPT_DYNAMIC PMX ${n.kernel} (2025-09-30T10:22Z)`,
    pveversion: `pve-manager/${r.version}/${r.repoid.slice(0, 16)}`,
    'current-kernel': { sysname: 'Linux', release: n.kernel, version: `#1 SMP PREEMPT_DYNAMIC PMX ${n.kernel} (2025-09-30T10:22Z)`, machine: 'x86_64' },
    'boot-info': { mode: 'efi', secureboot: 0 },
    cpuinfo: { cpus: n.cpus, cores: n.cpus / n.sockets / 2 >= 1 ? n.cpus / n.sockets / 2 : 1, sockets: n.sockets, model: n.cpuModel, mhz: '2800.000', hvm: '1', flags: 'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr', user_hz: 100 },
    memory: { total: n.memory, used: u.mem, free: n.memory - u.mem, available: n.memory - u.mem },
    swap: { total: n.swap, used: u.swapUsed, free: n.swap - u.swapUsed },
    rootfs: { total: n.rootfs, used: u.rootUsed, free: n.rootfs - u.rootUsed, avail: n.rootfs - u.rootUsed },
    ksm: { shared: 0 },
  };
}

export function subscription(n: NodeState, product: 'pve' | 'pbs'): Record<string, unknown> {
  const level = product === 'pve' ? { level: n.subscription.level } : {};
  const s = n.subscription;
  const url = product === 'pve' ? 'https://www.proxmox.com/en/proxmox-virtual-environment/pricing' : 'https://www.proxmox.com/en/proxmox-backup-server/pricing';
  const base: Record<string, unknown> = { status: s.status, serverid: s.serverid, url };
  if (product === 'pve') base.sockets = n.sockets;
  if (s.status === 'notfound' || s.status === 'new') return { ...base, message: 'There is no subscription key' };
  const productname = product === 'pve' ? `Proxmox VE Community Subscription ${n.sockets} CPU${n.sockets > 1 ? 's' : ''}/year` : 'Proxmox Backup Server Community Subscription/year';
  return {
    ...base,
    key: s.key,
    ...level,
    productname,
    regdate: s.regdate,
    nextduedate: s.nextduedate,
    checktime: s.checktime,
    ...(s.status === 'expired' ? { message: 'subscription has expired' } : s.status === 'invalid' ? { message: 'subscription key is not valid for this server' } : {}),
  };
}

export function aptRefresh(ctx: Ctx, n: NodeState): string {
  const lines = ['starting apt-get update', 'Hit:1 http://deb.debian.org/debian trixie InRelease', 'Hit:2 http://deb.debian.org/debian trixie-updates InRelease', 'Hit:3 http://security.debian.org/debian-security trixie-security InRelease'];
  if (n.enterpriseRepo && n.subscription.status !== 'active') {
    const repo = n.product === 'pve' ? 'pve' : 'pbs';
    lines.push(`Err:4 https://enterprise.proxmox.com/debian/${repo} trixie InRelease`, '  401  Unauthorized [IP: 212.224.123.70 443]', `W: Failed to fetch https://enterprise.proxmox.com/debian/${repo}/dists/trixie/InRelease  401  Unauthorized [IP: 212.224.123.70 443]`);
  }
  lines.push('Reading package lists...');
  const failing = n.enterpriseRepo && n.subscription.status !== 'active';
  const t = ctx.world.tasks.start({
    remote: ctx.remote,
    node: n.name,
    type: 'aptupdate',
    id: '',
    user: ctx.auth!.authid,
    durationMs: 6000,
    lines,
    finish: () => {
      n.aptCheckedAt = Math.floor(ctx.world.now() / 1000);
      return failing ? 'command \'apt-get update\' failed: exit code 100' : undefined;
    },
  });
  return t.upid;
}

/**
 * `apt/repositories` as proxmox-apt answers it. The same Rust code serves both products, but the
 * wire dialect differs: PVE (through perlmod) gives booleans as 0/1, file digests as byte
 * arrays and info indices as strings; PBS gives booleans, hex digests and integer indices —
 * each as its own schema declares.
 */
export function repositories(n: NodeState): unknown {
  const name = n.product;
  const pbs = name === 'pbs';
  const flag = (on: boolean) => (pbs ? on : on ? 1 : 0);
  // proxmox-apt digests are SHA-256.
  const sha256 = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');
  const fileDigest = (seed: string) => (pbs ? sha256(seed) : [...Buffer.from(sha256(seed), 'hex')]);
  const keyring = (file: string) => [{ Key: 'Signed-By', Values: [`/usr/share/keyrings/${file}`] }];
  const repo = (uri: string, suites: string[], components: string[], enabled: boolean, key: string) => ({ Types: ['deb'], URIs: [uri], Suites: suites, Components: components, Options: keyring(key), Comment: '', FileType: 'sources', Enabled: flag(enabled) });
  const file = (path: string, seed: string, repositories: ReturnType<typeof repo>[]) => ({ path, 'file-type': 'sources', digest: fileDigest(n.name + seed), repositories });
  const debianComponents = ['main', 'contrib', 'non-free-firmware'];
  const files = [
    file('/etc/apt/sources.list.d/debian.sources', 'debian', [
      repo('http://deb.debian.org/debian', ['trixie', 'trixie-updates'], debianComponents, true, 'debian-archive-keyring.gpg'),
      repo('http://security.debian.org/debian-security', ['trixie-security'], debianComponents, true, 'debian-archive-keyring.gpg'),
    ]),
    file(`/etc/apt/sources.list.d/${name}-enterprise.sources`, 'enterprise', [repo(`https://enterprise.proxmox.com/debian/${name}`, ['trixie'], [`${name}-enterprise`], n.enterpriseRepo, 'proxmox-archive-keyring.gpg')]),
  ];
  if (!n.enterpriseRepo) files.push(file('/etc/apt/sources.list.d/proxmox.sources', 'nosub', [repo(`http://download.proxmox.com/debian/${name}`, ['trixie'], [`${name}-no-subscription`], true, 'proxmox-archive-keyring.gpg')]));
  const infos = files.flatMap((f) => f.repositories.map((r, i) => ({ path: f.path, index: pbs ? i : String(i), kind: 'origin', message: r.URIs[0]!.includes('proxmox') ? 'Proxmox' : 'Debian' })));
  return {
    files,
    errors: [],
    digest: sha256(files),
    infos,
    'standard-repos': [
      // PBS 4 adds each standard repository's description (the PVE schema has none).
      { handle: 'enterprise', name: 'Enterprise', status: flag(n.enterpriseRepo), ...(pbs ? { description: 'This is the default, stable, and recommended repository, available for all Proxmox subscription users.' } : {}) },
      { handle: 'no-subscription', name: 'No-Subscription', ...(n.enterpriseRepo ? {} : { status: flag(true) }), ...(pbs ? { description: 'This is the recommended repository for testing and non-production use. Its packages are not as heavily tested and validated as the production ready enterprise repository. You don\'t need a subscription key to access this repository.' } : {}) },
      { handle: 'test', name: 'Test', ...(pbs ? { description: 'This repository contains the latest packages and is primarily used for test labs and by developers to test new features.' } : {}) },
    ],
  };
}

function storageList(ctx: Ctx): unknown[] {
  const r = pve(ctx);
  const n = node(ctx);
  const now = nowMs(ctx);
  const p = ctx.params;
  const want = typeof p.content === 'string' ? p.content.split(/[,;\s]+/).filter(Boolean) : null;
  return r.storages
    .filter((s) => (!p.enabled || storageEnabledOn(s, n.name)) && (!p.storage || s.id === p.storage) && userCanSeeStorage(ctx, s.id))
    .filter((s) => !want || want.some((c) => s.content.includes(c)))
    .filter((s) => !p.target || storageEnabledOn(s, String(p.target)))
    .map((s) => {
      const enabled = storageEnabledOn(s, n.name);
      const e: Record<string, unknown> = { storage: s.id, type: s.type, content: [...s.content].sort().join(','), shared: s.shared ? 1 : 0, enabled: enabled ? 1 : 0, active: enabled ? 1 : 0 };
      if (enabled) {
        const f = storageFigures(r, s, n, now);
        Object.assign(e, { total: f.total, used: f.used, avail: f.avail, used_fraction: f.total ? f.used / f.total : 0 });
      }
      return e;
    });
}

function storage(ctx: Ctx) {
  const r = pve(ctx);
  const n = node(ctx);
  const s = r.storages.find((x) => x.id === ctx.params.storage);
  if (!s) throw fail(`storage '${String(ctx.params.storage)}' does not exist`);
  if (!storageEnabledOn(s, n.name)) throw fail(`storage '${s.id}' is not available on node '${n.name}'`);
  return { r, n, s };
}

/** pve2-storage RRD: total and used per step while the node ran (an offline node's storages have no figures). */
function storageRrd(ctx: Ctx): unknown[] {
  const { r, n, s } = storage(ctx);
  return rrdTimes(String(ctx.params.timeframe), nowMs(ctx)).map((t) => {
    if (t * 1000 < n.bootAt) return { time: t };
    const f = storageFigures(r, s, n, t * 1000);
    return { time: t, total: f.total, used: f.used };
  });
}

function storageStatus(ctx: Ctx): unknown {
  const { r, n, s } = storage(ctx);
  const f = storageFigures(r, s, n, nowMs(ctx));
  return { type: s.type, content: [...s.content].sort().join(','), shared: s.shared ? 1 : 0, enabled: 1, active: 1, total: f.total, used: f.used, avail: f.avail };
}

function storageContent(ctx: Ctx): unknown[] {
  const { r, s } = storage(ctx);
  const content = ctx.params.content as string | undefined;
  const vmid = ctx.params.vmid as number | undefined;
  const auth = ctx.auth!;
  const fullAudit = auth.has(`/storage/${s.id}`, ['Datastore.Audit', 'Datastore.Allocate'], true);
  const out: Record<string, unknown>[] = [];
  if ((!content || content === 'backup') && s.content.includes('backup')) {
    if (s.pbs) {
      const pbs = ctx.world.remote(s.pbs.remote);
      const ds = pbs?.type === 'pbs' ? pbs.datastores.find((d) => d.name === s.pbs!.datastore) : undefined;
      if (!ds) throw fail(`pbs storage '${s.id}': connection refused`);
      const ns = s.pbs.namespace ?? '';
      for (const snap of ds.snapshots) {
        if (snap.ns !== ns || snap.type === 'host') continue;
        const time = new Date(snap.time * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
        out.push({
          volid: `${s.id}:backup/${snap.type}/${snap.id}/${time}`,
          content: 'backup',
          format: `pbs-${snap.type}`,
          subtype: snap.type === 'vm' ? 'qemu' : 'lxc',
          size: snap.size,
          ctime: snap.time,
          vmid: Number(snap.id),
          ...(snap.comment ? { notes: snap.comment } : {}),
          ...(snap.verification ? { verification: snap.verification } : {}),
          ...(snap.protected ? { protected: 1 } : {}),
          encrypted: undefined,
        });
      }
    } else {
      for (const f of s.files) out.push({ volid: f.volid, content: 'backup', format: f.format, subtype: f.volid.includes('-qemu-') ? 'qemu' : 'lxc', size: f.size, ctime: f.ctime, vmid: f.vmid, ...(f.notes ? { notes: f.notes } : {}) });
    }
  }
  if ((!content || content === 'images' || content === 'rootdir') && (s.content.includes('images') || s.content.includes('rootdir'))) {
    for (const g of r.guests.values()) {
      if (g.storage !== s.id) continue;
      if (content === 'images' && g.type !== 'qemu') continue;
      if (content === 'rootdir' && g.type !== 'lxc') continue;
      const fmt = s.type === 'dir' || s.type === 'nfs' ? (g.type === 'qemu' ? 'qcow2' : 'raw') : s.type === 'zfspool' && g.type === 'lxc' ? 'subvol' : 'raw';
      const name = g.type === 'lxc' && fmt === 'subvol' ? `subvol-${g.vmid}-disk-0` : `vm-${g.vmid}-disk-0${fmt === 'qcow2' ? '.qcow2' : fmt === 'raw' && (s.type === 'dir' || s.type === 'nfs') ? '.raw' : ''}`;
      const path = s.type === 'dir' || s.type === 'nfs' ? `${g.vmid}/${name}` : name;
      out.push({ volid: `${s.id}:${path}`, content: g.type === 'qemu' ? 'images' : 'rootdir', format: fmt, size: g.maxdisk, used: Math.round(g.maxdisk * 0.4), vmid: g.vmid, ctime: Math.floor(g.startedAt / 1000) - 86_400 * 30 });
    }
  }
  return out
    .filter((e) => vmid === undefined || e.vmid === vmid)
    .filter((e) => fullAudit || typeof e.vmid !== 'number' || auth.has(`/vms/${e.vmid}`, ['VM.Audit']))
    .map((e) => {
      delete e.encrypted;
      return e;
    })
    .sort((a, b) => String(a.volid).localeCompare(String(b.volid)));
}

function certificates(ctx: Ctx): unknown[] {
  const n = node(ctx);
  const bootS = Math.floor(n.bootAt / 1000);
  const nodeCert = {
    filename: 'pve-ssl.pem',
    fingerprint: ctx.world.servedFingerprint(n),
    subject: `/OU=PVE Cluster Node/O=Proxmox Virtual Environment/CN=${n.name}.example.internal`,
    issuer: `/CN=Proxmox Virtual Environment/OU=${pve(ctx).repoid.slice(0, 8)}/O=PVE Cluster Manager CA`,
    notbefore: bootS - 86_400 * 200,
    notafter: bootS + 86_400 * 500,
    san: ['127.0.0.1', '0:0:0:0:0:0:0:1', 'localhost', n.name, `${n.name}.example.internal`],
    'public-key-type': 'id-ecPublicKey',
    'public-key-bits': 256,
    pem: ctx.world.servedCertificate(n),
  };
  return [
    { filename: 'pve-root-ca.pem', subject: nodeCert.issuer, issuer: nodeCert.issuer, notbefore: bootS - 86_400 * 400, notafter: bootS + 86_400 * 3000, 'public-key-type': 'rsaEncryption', 'public-key-bits': 4096, fingerprint: digest(pve(ctx).repoid).toUpperCase().padEnd(64, '0').match(/../g)!.join(':') },
    nodeCert,
  ];
}

export const nodeRoutes: RouteTable = {
  'GET /nodes/{node}/status': status,
  'GET /nodes/{node}/subscription': (ctx) => subscription(node(ctx), 'pve'),
  'GET /nodes/{node}/apt/update': (ctx) => node(ctx).updates,
  'POST /nodes/{node}/apt/update': (ctx) => aptRefresh(ctx, node(ctx)),
  'GET /nodes/{node}/apt/repositories': (ctx) => repositories(node(ctx)),
  'GET /nodes/{node}/rrddata': (ctx) => nodeRrd(node(ctx), String(ctx.params.timeframe), String(ctx.params.cf ?? 'AVERAGE'), nowMs(ctx)),
  'GET /nodes/{node}/storage': storageList,
  'GET /nodes/{node}/storage/{storage}/status': storageStatus,
  'GET /nodes/{node}/storage/{storage}/rrddata': storageRrd,
  'GET /nodes/{node}/storage/{storage}/content': storageContent,
  'GET /nodes/{node}/certificates/info': certificates,
};
