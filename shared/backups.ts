// Wire schemas of /resources/backups: per remote, what the poller's slow refresh learned about
// backups — PVE backup jobs and the guests no job includes, PBS backup groups and the last
// results of GC, verify, prune and sync jobs — in Proxmox's field names, with the data's age
// and, per item that could not be fetched, its error (the item's last good list stays).
import { z } from 'zod';
import { RemoteStateSchema } from './resources.ts';
import { remoteType } from './remotes.ts';

/**
 * Lists are capped so that one remote cannot make the record (or an answer) unbounded.
 * Namespaces: read to `namespaceDepth` levels below the root (PBS allows 7), at most
 * `namespacesPerStore` of a datastore and `namespaces` of a remote (one request each).
 */
export const BACKUP_LIMITS = {
  jobs: 1000, notBackedUp: 10_000, groupsPerStore: 10_000, groups: 50_000, jobResults: 1000, stores: 256,
  namespaceDepth: 3, namespacesPerStore: 256, namespaces: 1024,
} as const;

/** A vzdump job of PVE's /cluster/backup, its guest selection parsed. */
export const PveBackupJob = z.object({
  id: z.string(),
  schedule: z.string().optional(),
  storage: z.string().optional(),
  enabled: z.boolean(),
  /** All guests (minus `exclude`), a pool's, or a list of vmids. */
  all: z.boolean().optional(),
  pool: z.string().optional(),
  vmid: z.array(z.number().int()).optional(),
  exclude: z.array(z.number().int()).optional(),
  /** Only the guests on this node. */
  node: z.string().optional(),
  mode: z.string().optional(),
  comment: z.string().optional(),
  /** Unix time (s) of the next scheduled run, as the remote computed it. */
  'next-run': z.number().optional(),
});
export type PveBackupJob = z.infer<typeof PveBackupJob>;

/** A guest of PVE's /cluster/backup-info/not-backed-up: in no backup job. */
export const NotBackedUpGuest = z.object({
  vmid: z.number().int(),
  type: z.enum(['qemu', 'lxc']),
  name: z.string().optional(),
});
export type NotBackedUpGuest = z.infer<typeof NotBackedUpGuest>;

/** A backup group of a PBS datastore: one guest or host's snapshots in one namespace. */
export const PbsBackupGroup = z.object({
  store: z.string(),
  /** The namespace (`a/b`), as PBS writes it; absent: the root namespace. */
  ns: z.string().optional(),
  'backup-type': z.string(),
  'backup-id': z.string(),
  /** Unix time (s) of the newest snapshot. */
  'last-backup': z.number().optional(),
  'backup-count': z.number().int().optional(),
  owner: z.string().optional(),
  comment: z.string().optional(),
});
export type PbsBackupGroup = z.infer<typeof PbsBackupGroup>;

/** The last run of a PBS job: GC (one per datastore, `id` is the store), verify, prune or sync. */
export const PbsJobResult = z.object({
  kind: z.enum(['gc', 'verify', 'prune', 'sync']),
  id: z.string(),
  store: z.string(),
  schedule: z.string().optional(),
  /** `OK`, `WARNINGS: n`, or the error the run ended with; absent: never ran (or still running). */
  'last-run-state': z.string().optional(),
  'last-run-endtime': z.number().optional(),
  'last-run-upid': z.string().optional(),
  'next-run': z.number().optional(),
  /** Whether the last run ended in an error (anything but OK or warnings). */
  failed: z.boolean(),
  /** GC: chunks found bad and not removed. */
  'still-bad': z.number().optional(),
  /** Sync: where it pulls from (or pushes to). */
  remote: z.string().optional(),
  'remote-store': z.string().optional(),
  disabled: z.boolean().optional(),
});
export type PbsJobResult = z.infer<typeof PbsJobResult>;

export const BackupItemError = z.object({
  /** `jobs`, `not-backed-up`, `groups/{store}` (its namespaces and their groups), `gc`, `verify`, `prune`, `sync`. */
  item: z.string(),
  error: z.string(),
  /** Unix time (s) the item was last fetched successfully; its list is from then. */
  'last-success': z.number().optional(),
});
export type BackupItemError = z.infer<typeof BackupItemError>;

export const BackupRemote = z.object({
  remote: z.string(),
  type: remoteType,
  /** The remote's freshness (resources refresh). */
  state: RemoteStateSchema,
  /** Unix time (s) of the last backups refresh, and its age in seconds; absent: none yet. */
  time: z.number().optional(),
  age: z.number().optional(),
  jobs: z.array(PveBackupJob).optional(),
  'not-backed-up': z.array(NotBackedUpGuest).optional(),
  groups: z.array(PbsBackupGroup).optional(),
  'job-results': z.array(PbsJobResult).optional(),
  errors: z.array(BackupItemError),
  /** Items whose list was longer than the cap (BACKUP_LIMITS) and was cut. */
  truncated: z.array(z.string()).optional(),
});
export type BackupRemote = z.infer<typeof BackupRemote>;

export const BackupsResult = z.object({
  summary: z.object({
    /** Remotes with something the caller may see (those listed in `remotes` without `summary`). */
    remotes: z.number().int(),
    /** Of those, the ones whose backups have been read at least once. */
    refreshed: z.number().int(),
    /** Guests in no backup job, across the remotes listed. */
    'not-backed-up': z.number().int(),
    /** PBS jobs whose last run failed. */
    'failed-jobs': z.number().int(),
    /** Items that could not be fetched on their last try. */
    errors: z.number().int(),
  }),
  /** Empty when only the summary was asked for (`summary=1`). */
  remotes: z.array(BackupRemote),
});
export type BackupsResult = z.infer<typeof BackupsResult>;
