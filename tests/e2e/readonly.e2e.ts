// A read-only (Audit) user sees no buttons that change anything, and when the API is called
// anyway — with a valid session and CSRF token — it refuses.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loggedInPage, useSuite } from './session.ts';

const PASSWORD = 'read only password';
const suite = useSuite({ 'viewer@steward': [PASSWORD, 'Audit'] }, { before, after });

test('an Audit user sees no action buttons and a forced call is refused', async () => {
  // The forced call below is answered 403, which the browser logs as a failed resource load.
  const tp = await loggedInPage(suite, 'viewer@steward', PASSWORD, { allowConsole: [/403/] });
  const { page } = tp;
  await page.goto('/admin/remotes');
  await page.getByRole('heading', { name: 'Remotes' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Add remote' }).count(), 0);
  await page.goto('/admin/views');
  await page.getByRole('heading', { name: 'Views' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Create view' }).count(), 0);

  const forced = await page.evaluate(async () => {
    const csrf = (JSON.parse(sessionStorage.getItem('steward.session') ?? '{}') as { csrf?: string }).csrf ?? '';
    const res = await fetch('/api2/json/views', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', CSRFPreventionToken: csrf },
      body: JSON.stringify({ id: 'sneaky', search: '' }),
    });
    return { status: res.status, body: (await res.json()) as { code?: string } };
  });
  assert.equal(forced.status, 403);
  assert.equal(forced.body.code, 'forbidden');
  tp.assertClean();
  await tp.close();
});
