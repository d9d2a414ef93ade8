import assert from 'node:assert/strict';
import { test } from 'node:test';
import { suggest } from './search-suggest.ts';

test('completes categories, then their values, keeping the earlier terms and the +/- mark', () => {
  assert.deepEqual(suggest('st').map((s) => s.text), ['status:']);
  assert.deepEqual(suggest('web +type:q').map((s) => s.text), ['web +type:qemu ']);
  assert.deepEqual(suggest('-remote:p', { remotes: ['pve-a', 'pbs-b', 'lab'] }).map((s) => s.text), ['-remote:pve-a ', '-remote:pbs-b ']);
  assert.deepEqual(suggest('la', { remotes: ['lab'] }).map((s) => s.label), ['remote:lab']);
  assert.deepEqual(suggest('status:running'), []);
  assert.equal(suggest('').length, 8);
});
