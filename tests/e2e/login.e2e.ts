// Logging in and out with a password, the messages for a wrong password and an expired
// session, and the dashboard, screenshotted in both themes at desktop and phone width.
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, test } from 'node:test';
import { request } from '../harness/https.ts';
import { openPage, screenshots } from './browser.ts';
import { loggedInPage, login, logout, submitLogin, useSuite } from './session.ts';

const PASSWORD = 'correct horse battery';
const suite = useSuite({ 'admin@steward': [PASSWORD] }, { before, after });

test('log in with a password, stay logged in across a reload, log out', async () => {
  const tp = await openPage(suite.browser, suite.stack, { allowConsole: [/401|Unauthorized/] });
  const { page } = tp;
  await page.goto('/');
  await submitLogin(page, 'admin@steward', 'wrong password');
  await page.getByRole('alert').getByText('Login failed').waitFor({ timeout: 10_000 });
  assert.equal(await page.getByRole('heading', { name: 'Dashboard', level: 1 }).count(), 0);

  await login(page, 'admin@steward', PASSWORD);
  // The ticket is an HttpOnly cookie: the page can never read it.
  assert.doesNotMatch(await page.evaluate(() => document.cookie), /StewardAuthCookie/);
  await page.reload();
  await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
  await screenshots(tp, 'dashboard');
  await page.getByRole('link', { name: 'Resources' }).first().click();
  await page.getByRole('heading', { name: 'Resources', level: 1 }).waitFor();
  await screenshots(tp, 'resources-empty');

  await logout(page);
  // After logging out, the API refuses the old session.
  const status = await page.evaluate(async () => (await fetch('/api2/json/resources/status')).status);
  assert.equal(status, 401);
  tp.assertClean();
  await tp.close();
});

test('this host: status, services and the certificate the browser was served', async () => {
  const tp = await loggedInPage(suite, 'admin@steward', PASSWORD);
  const { page } = tp;
  await page.getByRole('link', { name: 'This host' }).click();
  await page.getByRole('region', { name: 'Host status' }).getByText(hostname()).waitFor();
  const served = (await request(suite.stack.url)).fingerprint;
  await page.getByRole('region', { name: 'Certificate' }).getByText(served).waitFor();
  await screenshots(tp, 'system');
  // The ACME page is linked for an administrator and shows its three parts, empty on a fresh install.
  await page.getByRole('link', { name: 'ACME certificates' }).click();
  await page.getByRole('region', { name: 'ACME accounts' }).getByText('No account yet.').waitFor();
  await page.getByRole('region', { name: 'ACME settings' }).waitFor();
  const order = page.getByRole('region', { name: 'Certificate order' });
  await order.getByText('No order yet.').waitFor();
  assert.equal(await order.getByRole('button', { name: 'Order certificate' }).isDisabled(), true, 'ordering needs settings first');
  tp.assertClean();
  await tp.close();
});

test('every page opens for an administrator without an error', async () => {
  const tp = await loggedInPage(suite, 'admin@steward', PASSWORD);
  const { page } = tp;
  const pages: [string, string][] = [
    ['/resources', 'Resources'], ['/tasks', 'Tasks'], ['/backups', 'Backups'], ['/admin/remotes', 'Remotes'], ['/admin/users', 'Users'],
    ['/admin/acl', 'Permissions'], ['/admin/groups', 'Groups of remotes'], ['/admin/views', 'Views'],
    ['/admin/allowlist', 'IP allowlist and TFA policy'], ['/admin/audit', 'Audit log'], ['/admin/tokens', 'API tokens'],
    ['/admin/password', 'Change password'], ['/admin/tfa', 'Two-factor authentication'],
    ['/admin/acme', 'ACME certificates'],
  ];
  // Routes still missing on main (TFA) answer 404; that page shows the API's message, not a blank.
  const missing = [];
  for (const [path, heading] of pages) {
    await page.goto(path);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    await page.waitForLoadState('networkidle');
    const errors = await page.locator('.error-box').allTextContents();
    if (path === '/admin/tfa' && errors.some((e) => /no such path/.test(e))) missing.push(path);
    else assert.deepEqual(errors, [], `${path} shows an error`);
  }
  tp.problems.splice(0, tp.problems.length, ...tp.problems.filter((p) => !(missing.length && /status of 404/.test(p))));
  const users = page.getByRole('table', { name: 'Users' });
  await page.goto('/admin/users');
  await users.getByText('admin@steward').waitFor();
  tp.assertClean();
  await tp.close();
});
