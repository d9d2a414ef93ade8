// What a remote answers is parsed into the shapes /resources/backups promises: a value outside
// them (a vmid no Proxmox allows, a fractional count) is dropped at the refresh, so one
// remote's odd answer never makes the route fail for everyone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NotBackedUpGuest, PbsBackupGroup, PbsJobResult, PveBackupJob } from '../../../shared/backups.ts';
import { notBackedUpGuest, pbsGroup, pbsJobResult, pveJob } from './backups.ts';

test('a job\'s vmid lists keep the vmids Proxmox allows (100 … 999,999,999), nothing else', () => {
  const job = pveJob({ id: 'nightly', vmid: '100,99999999999999999999, 101;1e3 -5 1000000000', exclude: '102 12345678901234567890' })!;
  assert.deepEqual(job.vmid, [100, 101]);
  assert.deepEqual(job.exclude, [102]);
  assert.ok(PveBackupJob.safeParse(job).success);
  assert.equal(pveJob({ id: 'odd', vmid: '99999999999999999999' })!.vmid, undefined);
  assert.deepEqual(pveJob({ id: 'one', vmid: 100 })!.vmid, [100]);
  assert.equal(pveJob({ id: 'frac', vmid: 100.5 })!.vmid, undefined);
});

test('a guest in no job needs a valid vmid; counts that are not whole numbers are left out', () => {
  assert.equal(notBackedUpGuest({ vmid: 100.5, type: 'qemu' }), null);
  assert.equal(notBackedUpGuest({ vmid: 2 ** 60, type: 'qemu' }), null);
  const g = notBackedUpGuest({ vmid: 100, type: 'lxc', name: 'ct' })!;
  assert.ok(NotBackedUpGuest.safeParse(g).success);
  const group = pbsGroup('store', { 'backup-type': 'vm', 'backup-id': '100', 'backup-count': 2.5, 'last-backup': 1_700_000_000 })!;
  assert.equal(group['backup-count'], undefined);
  assert.ok(PbsBackupGroup.safeParse(group).success);
  const job = pbsJobResult('gc', { store: 'store', 'still-bad': Infinity, 'last-run-endtime': 1_700_000_000 })!;
  assert.ok(PbsJobResult.safeParse(job).success);
});
