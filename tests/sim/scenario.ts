// Scenario files: what a simulated datacenter holds. A scenario is plain JSON (see
// scenarios/demo.json), validated here; `scale` is generated from three numbers.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const id = z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
const nodeName = z.string().min(1).max(63).regex(/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/);

/** Answer faults may stop by themselves after this many answers (a transient error). */
const times = z.number().int().min(1).max(1_000_000).optional();

export const FaultSpec = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('down') }),
  z.strictObject({ kind: z.literal('slow'), ms: z.number().int().min(0).max(600_000) }),
  z.strictObject({ kind: z.literal('flapping'), periodMs: z.number().int().min(10).max(3_600_000).optional() }),
  z.strictObject({ kind: z.literal('http'), status: z.union([z.literal(500), z.literal(502), z.literal(503)]), times }),
  z.strictObject({ kind: z.literal('truncated'), times }),
  z.strictObject({ kind: z.literal('malformed'), times }),
  z.strictObject({ kind: z.literal('expired-ticket') }),
  z.strictObject({ kind: z.literal('cert-changed') }),
  z.strictObject({ kind: z.literal('clock-skew'), seconds: z.number().int().min(-31_536_000).max(31_536_000) }),
]);

/** An ACL entry: a role on a path (PVE: `/`, `/vms/100`, `/pool/x`, `/storage/y`; PBS: `/datastore/x`, `/system`). */
const Acl = z.strictObject({ path: z.string().startsWith('/').max(128), role: z.string().max(64), propagate: z.boolean().default(true) });

const Credential = z.discriminatedUnion('kind', [
  z.strictObject({
    name: id,
    kind: z.literal('token'),
    /** user@realm!tokenname */
    tokenid: z.string().regex(/^[^\s:/!]+@[A-Za-z][A-Za-z0-9.\-_]+![A-Za-z][A-Za-z0-9.\-_]+$/),
    secret: z.string().max(128).optional(),
    acl: z.array(Acl).max(64),
    limited: z.string().max(64).optional(),
  }),
  z.strictObject({
    name: id,
    kind: z.literal('password'),
    username: z.string().regex(/^[^\s:/!]+@[A-Za-z][A-Za-z0-9.\-_]+$/),
    password: z.string().max(128).optional(),
    acl: z.array(Acl).max(64),
    limited: z.string().max(64).optional(),
  }),
]);
export type CredentialSpec = z.infer<typeof Credential>;

const Subscription = z.enum(['active', 'notfound', 'expired', 'invalid', 'suspended', 'new']);

const NodeSpec = z.strictObject({
  name: nodeName,
  down: z.boolean().default(false),
  cpus: z.number().int().min(1).max(1024).default(32),
  memoryGiB: z.number().min(1).max(65536).default(256),
  subscription: Subscription.default('active'),
  /** Packages with a pending update (names; versions are made up). */
  updates: z.array(z.string().max(64)).max(500).default([]),
  /** The enterprise repository configured without a subscription, as people do. */
  enterpriseRepo: z.boolean().default(true),
  fault: FaultSpec.optional(),
});

const StorageSpec = z.strictObject({
  id,
  type: z.enum(['dir', 'lvmthin', 'lvm', 'zfspool', 'rbd', 'cephfs', 'nfs', 'cifs', 'pbs']),
  content: z.array(z.enum(['images', 'rootdir', 'vztmpl', 'iso', 'backup', 'snippets', 'import'])).min(1),
  shared: z.boolean().default(false),
  /** Nodes the storage is enabled on; absent: all. */
  nodes: z.array(nodeName).optional(),
  totalGiB: z.number().min(0),
  usedGiB: z.number().min(0),
  /** A `pbs` storage: which simulated PBS remote and datastore it points at. */
  pbs: z.strictObject({ remote: id, datastore: id, namespace: z.string().max(256).optional() }).optional(),
});

const GuestSpec = z.strictObject({
  vmid: z.number().int().min(100).max(999_999_999),
  type: z.enum(['qemu', 'lxc']),
  name: z.string().min(1).max(63),
  node: nodeName,
  status: z.enum(['running', 'stopped']).default('running'),
  pool: id.optional(),
  tags: z.array(z.string().max(32)).max(16).default([]),
  template: z.boolean().default(false),
  cores: z.number().int().min(1).max(512).default(2),
  memoryGiB: z.number().min(0.0625).max(4096).default(4),
  diskGiB: z.number().min(0.1).max(65536).default(32),
  /** Where the root disk lives (a storage id of this remote). */
  storage: id,
  ostype: z.string().max(16).optional(),
  /** Left out of every backup job (and so without backups). */
  noBackup: z.boolean().default(false),
  /** Passthrough devices that pin it to its node (`hostpci0` …): migration refuses them. */
  localResources: z.array(z.string().max(32)).max(8).default([]),
  /** A CD-ROM image on a local storage (migration lists it among local disks). */
  lock: z.string().max(16).optional(),
  ha: z.boolean().default(false),
});
export type GuestSpec = z.infer<typeof GuestSpec>;

const BackupJobSpec = z.strictObject({
  id: z.string().max(64),
  storage: id,
  schedule: z.string().max(64).default('21:00'),
  enabled: z.boolean().default(true),
  mode: z.enum(['snapshot', 'suspend', 'stop']).default('snapshot'),
  /** Which guests: all (minus excluded ones), a pool, or a list. */
  all: z.boolean().default(false),
  pool: id.optional(),
  vmid: z.array(z.number().int()).optional(),
  comment: z.string().max(128).optional(),
});

export const PveRemoteSpec = z.strictObject({
  id,
  type: z.literal('pve'),
  /** The cluster's name; absent: a standalone node. */
  cluster: z.string().max(15).optional(),
  preAdded: z.boolean().default(true),
  version: z.string().default('9.1.1'),
  nodes: z.array(NodeSpec).min(1).max(64),
  storages: z.array(StorageSpec).max(64),
  pools: z.array(z.strictObject({ id, comment: z.string().max(128).optional() })).max(64).default([]),
  guests: z.array(GuestSpec).max(100_000).default([]),
  backupJobs: z.array(BackupJobSpec).max(64).default([]),
  credentials: z.array(Credential).min(1).max(16),
  fault: FaultSpec.optional(),
});
export type PveRemoteSpec = z.infer<typeof PveRemoteSpec>;

const DatastoreSpec = z.strictObject({
  name: z.string().min(3).max(32),
  path: z.string().max(256).optional(),
  totalGiB: z.number().min(1),
  usedGiB: z.number().min(0),
  gcSchedule: z.string().max(64).default('daily'),
  /** The last garbage collection failed with this message. */
  gcError: z.string().max(200).optional(),
  /** How many days of daily backups each guest keeps. */
  keepDaily: z.number().int().min(1).max(366).default(7),
  /** Namespaces that exist even when empty (`a`, `a/b`); PVE storages write into theirs. */
  namespaces: z.array(z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*){0,7}$/)).max(256).default([]),
  comment: z.string().max(128).optional(),
});

export const PbsRemoteSpec = z.strictObject({
  id,
  type: z.literal('pbs'),
  preAdded: z.boolean().default(true),
  version: z.string().default('4.1.0'),
  node: NodeSpec,
  datastores: z.array(DatastoreSpec).min(1).max(64),
  credentials: z.array(Credential).min(1).max(16),
  /** Verify jobs whose last run found corrupt chunks (datastore names). */
  verifyFailures: z.array(z.string()).default([]),
  /** Sync jobs pulling from another (unsimulated) PBS. */
  syncJobs: z.array(z.strictObject({ id, store: z.string(), remote: z.string(), 'remote-store': z.string(), schedule: z.string().default('hourly'), lastError: z.string().optional() })).default([]),
  fault: FaultSpec.optional(),
});
export type PbsRemoteSpec = z.infer<typeof PbsRemoteSpec>;

export const ScenarioSpec = z.strictObject({
  name: z.string().max(64),
  remotes: z.array(z.discriminatedUnion('type', [PveRemoteSpec, PbsRemoteSpec])).min(1).max(10_000),
});
export type ScenarioSpec = z.input<typeof ScenarioSpec>;
export type Scenario = z.output<typeof ScenarioSpec>;

export function parseScenario(input: unknown): Scenario {
  const r = ScenarioSpec.safeParse(input);
  if (!r.success) throw new Error(`invalid scenario:\n${z.prettifyError(r.error)}`);
  return r.data;
}

export function loadScenarioFile(file: string): Scenario {
  return parseScenario(JSON.parse(readFileSync(file, 'utf8')));
}
