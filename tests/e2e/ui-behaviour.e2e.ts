// The UI's behaviour in a real Chromium, served by the real steward-api, with the API's
// answers stubbed at the browser's network boundary (stub-api.ts), so 50,000 rows and exact
// task timings need no simulator: search narrows the table and the DOM stays bounded at 50,000
// rows; a guest is started and its task followed to the end; stop asks for the guest's
// name; a read-only session sees no action buttons; every change carries the CSRF token.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openPage, screenshots } from './browser.ts';
import { useSuite } from './session.ts';
import { stubApi } from './stub-api.ts';

const suite = useSuite({}, { before, after });

test('search narrows the table; 50,000 rows keep the DOM small', async () => {
  const tp = await openPage(suite.browser, suite.stack);
  const { page } = tp;
  const stub = await stubApi(page, { guests: 50_000 });
  await page.goto('/');
  await page.getByRole('region', { name: 'Virtual machines' }).getByText('42,857').waitFor();
  await screenshots(tp, 'dashboard-50k');
  await page.getByRole('combobox', { name: 'Search resources' }).fill('guest-4999');
  await page.keyboard.press('Enter');
  await page.getByRole('status').getByText('11 resources').waitFor();
  await page.getByRole('link', { name: '5099 (guest-4999)' }).waitFor();
  assert.ok(stub.requests.some((r) => r.path.startsWith('/resources/list?search=guest-4999')));
  await page.getByRole('searchbox', { name: 'Filter resources' }).fill('');
  await page.getByRole('status').getByText('50,000 resources').waitFor();
  await screenshots(tp, 'resources-50k');
  const rows = await page.locator('st-resource-table').evaluate((el) => el.shadowRoot!.querySelectorAll('.tr').length);
  assert.ok(rows > 10 && rows < 80, `${rows} rows in the DOM`);
  tp.assertClean();
  await tp.close();
});

test('start a guest and follow its task to the end; stop needs the name typed', async () => {
  const tp = await openPage(suite.browser, suite.stack);
  const { page } = tp;
  const stub = await stubApi(page, { guests: 20 });
  await page.goto('/remotes/pve9/qemu/109');
  await page.getByRole('heading', { name: 'VM 109 (guest-9)' }).waitFor();
  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByRole('status', { name: 'Task status' }).getByText('OK').waitFor();
  assert.match((await page.getByLabel('Task log').textContent()) ?? '', /TASK OK/);
  const post = stub.requests.find((r) => r.method === 'POST' && r.path.endsWith('/start'))!;
  assert.equal(post.headers.csrfpreventiontoken, 'csrf-token-1');
  await page.getByRole('region', { name: 'Status' }).waitFor();
  await screenshots(tp, 'guest');

  await page.getByLabel('Guest status').getByText('running').waitFor();
  await page.getByRole('button', { name: 'Stop' }).click();
  await page.getByRole('dialog', { name: 'Stop guest-9?' }).waitFor();
  // The form is slotted into st-dialog's <dialog>: scope to the asking element (st-confirm).
  const dialog = page.locator('st-confirm');
  await dialog.getByLabel('Type guest-9 to confirm').fill('guest-8');
  await dialog.getByRole('button', { name: 'Stop' }).click();
  assert.equal(stub.requests.filter((r) => r.path.endsWith('/stop')).length, 0, 'a wrong name does not stop the guest');
  await dialog.getByLabel('Type guest-9 to confirm').fill('guest-9');
  // The start task's status still reads OK: wait for the stop's answer, then for its task.
  const stopSent = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/stop'));
  await dialog.getByRole('button', { name: 'Stop' }).click();
  await stopSent;
  await page.getByRole('status', { name: 'Task status' }).getByText('OK').waitFor();
  assert.equal(stub.requests.filter((r) => r.path.endsWith('/stop')).length, 1);
  tp.assertClean();
  await tp.close();
});

test('a read-only session sees no action buttons and no administration', async () => {
  const tp = await openPage(suite.browser, suite.stack);
  const { page } = tp;
  await stubApi(page, { guests: 20, permissions: { '/remotes': { audit: 1 } } });
  await page.goto('/remotes/pve3/qemu/103');
  await page.getByRole('heading', { name: 'VM 103 (guest-3)' }).waitFor();
  assert.equal(await page.getByRole('group', { name: 'Actions' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Start' }).count(), 0);
  assert.equal(await page.getByRole('link', { name: 'Users' }).count(), 0);
  tp.assertClean();
  await tp.close();
});

test('phone width: the navigation is a drawer; the theme toggle switches to dark', async () => {
  const tp = await openPage(suite.browser, suite.stack, { viewport: 'phone' });
  const { page } = tp;
  await stubApi(page, { guests: 20 });
  await page.goto('/');
  await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.equal(await nav.getByRole('link', { name: 'Resources' }).isVisible(), false);
  await page.getByRole('button', { name: 'Menu' }).click();
  await nav.getByRole('link', { name: 'Resources' }).click();
  await page.getByRole('heading', { name: 'Resources', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(18, 22, 28)');
  tp.assertClean();
  await tp.close();
});
