import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changedFields, dateInputValue, expiryOf } from './forms.ts';

/** A form with just the `enable` checkbox, as changedFields reads it. */
const formWith = (checked: boolean) => ({ elements: { namedItem: () => ({ checked }) } }) as unknown as HTMLFormElement;

test('an expiry is the end of the picked day here, and reads back as that day', () => {
  const e = expiryOf('2031-05-17');
  assert.equal(e, Math.floor(new Date('2031-05-17T23:59:59').getTime() / 1000));
  assert.equal(dateInputValue(e), '2031-05-17');
  assert.equal(expiryOf(''), 0);
  assert.equal(dateInputValue(0), '');
});

test('an edit sends only what changed; an emptied field is deleted', () => {
  const current = { digest: 'd1', expire: 0, enable: true, comment: 'old', email: 'a@b.c' };
  assert.deepEqual(changedFields({ comment: 'old', email: 'a@b.c' }, formWith(true), current, ['comment', 'email', 'firstname']), { digest: 'd1' });
  assert.deepEqual(
    changedFields({ comment: 'new', firstname: 'Bob', expire: '2030-01-31' }, formWith(false), current, ['comment', 'email', 'firstname']),
    { digest: 'd1', comment: 'new', firstname: 'Bob', delete: ['email'], expire: expiryOf('2030-01-31'), enable: false },
  );
  // Clearing the expiry of a user who had one sets it to 0 (never).
  assert.deepEqual(changedFields({}, formWith(true), { ...current, comment: undefined, email: undefined, expire: expiryOf('2030-01-31') }, ['comment']), { digest: 'd1', expire: 0 });
});
