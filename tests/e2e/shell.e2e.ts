// The shell under the strict CSP: the page loads with no console error or CSP violation,
// the headers are the strict ones, and an unknown deep link still serves the app.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openPage, screenshots } from './browser.ts';
import { useSuite } from './session.ts';

const suite = useSuite({}, { before, after });

test('the login page loads under the strict CSP with no console error', async () => {
  const tp = await openPage(suite.browser, suite.stack);
  const res = await tp.page.goto('/resources?search=x');
  const csp = res?.headers()['content-security-policy'] ?? '';
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(res?.headers()['x-frame-options'], 'DENY');
  await tp.page.getByLabel('User name').waitFor();
  assert.equal(await tp.page.getByRole('button', { name: 'Log in' }).isVisible(), true);
  await tp.page.getByRole('button', { name: 'Log in' }).click();
  await tp.page.getByRole('alert').getByText('Enter your user name').waitFor();
  await screenshots(tp, 'login');
  tp.assertClean();
  await tp.close();
});
