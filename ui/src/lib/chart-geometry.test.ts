import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linePaths } from './chart-geometry.ts';

test('line paths scale into the box, clamp at the max and split at gaps', () => {
  assert.deepEqual(linePaths([0, 1, null, 0.5, 0.5], 1, 4, 10), ['0.0,10.0 1.0,0.0', '3.0,5.0 4.0,5.0']);
  assert.deepEqual(linePaths([2], 1, 4, 10), ['0.0,0.0']);
  assert.deepEqual(linePaths([], 1, 4, 10), []);
});
