// The administration pages in a real Chromium against a real stack: an admin edits a user,
// sets their password, unlocks the second factors of a user locked out by wrong TOTP codes,
// creates, edits and removes another user's API token, and removes a user through the in-page
// confirmation (typing the id; focus trapped in the dialog and returned after); a user removes
// a second factor, the password asked in page. Every page
// fails on a native alert/confirm/prompt (browser.ts), so none of this may use one.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { request } from '../harness/https.ts';
import { openPage, screenshots } from './browser.ts';
import { loggedInPage, login, useSuite } from './session.ts';

const ADMIN = 'admin@steward';
const PASSWORD = 'admin e2e password';
const suite = useSuite({
  [ADMIN]: [PASSWORD],
  'bob@steward': ['bob first password', 'Audit'],
  'carol@steward': ['carol password', 'Audit'],
  'locked@steward': ['locked user password', 'Audit'],
  'dave@steward': ['dave password', 'Audit'],
}, { before, after });

async function apiLogin(username: string, password: string): Promise<Record<string, string>> {
  const r = await request(`${suite.stack.url}/api2/json/access/ticket`, { method: 'POST', body: { username, password } });
  assert.equal(r.status, 200, `login of ${username}: ${r.text}`);
  const d = r.json<{ data: { ticket: string; CSRFPreventionToken: string } }>().data;
  return { cookie: `StewardAuthCookie=${encodeURIComponent(d.ticket)}`, CSRFPreventionToken: d.CSRFPreventionToken };
}

async function api<T>(method: string, path: string, headers: Record<string, string>, body?: object): Promise<{ status: number; data: T }> {
  const r = await request(`${suite.stack.url}/api2/json${path}`, { method, headers, ...(body ? { body } : {}) });
  return { status: r.status, data: r.json<{ data: T }>().data };
}

/** The element with the focus, through shadow roots, and the st-* hosts around it. */
function focusPath(page: Page): Promise<{ id: string; label: string; hosts: string[] }> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    const hosts: string[] = [];
    for (let n: Node | null = el; n; n = n.parentNode ?? (n instanceof ShadowRoot ? n.host : null)) {
      if (n instanceof Element && n.localName.startsWith('st-')) hosts.push(n.localName);
    }
    return { id: el?.id ?? '', label: el?.getAttribute('aria-label') ?? '', hosts };
  });
}

test('an admin edits a user and sets their password', async () => {
  const tp = await loggedInPage(suite, ADMIN, PASSWORD);
  const { page } = tp;
  await page.goto('/admin/users');
  const row = page.getByRole('row', { name: /bob@steward/ });
  await row.waitFor();

  await page.getByRole('button', { name: 'Set password of bob@steward' }).click();
  const pw = page.locator('st-dialog');
  await pw.getByLabel('New password', { exact: true }).fill('bob second password');
  await pw.getByLabel('Repeat the new password').fill('bob other password');
  await pw.getByLabel('Your own password').fill(PASSWORD);
  await pw.getByRole('button', { name: 'Set password' }).click();
  await pw.getByText('the two passwords differ').waitFor();
  await pw.getByLabel('Repeat the new password').fill('bob second password');
  await pw.getByRole('button', { name: 'Set password' }).click();
  await page.getByText('Password of bob@steward set').waitFor();
  assert.equal((await request(`${suite.stack.url}/api2/json/access/ticket`, { method: 'POST', body: { username: 'bob@steward', password: 'bob first password' } })).status, 401, 'the old password no longer works');
  await apiLogin('bob@steward', 'bob second password');

  await page.getByRole('button', { name: 'Edit bob@steward' }).click();
  const edit = page.locator('st-dialog');
  await edit.getByLabel('First name').fill('Bob');
  await edit.getByLabel('Last name').fill('Builder');
  await edit.getByLabel('E-mail').fill('bob@example.com');
  await edit.getByLabel('Comment').fill('night shift');
  await edit.getByLabel(/^Groups/).fill('operators, night');
  await edit.getByLabel(/^Expires/).fill('2031-05-17');
  await edit.getByRole('checkbox', { name: /Enabled/ }).uncheck();
  await screenshots(tp, 'users-edit');
  await edit.getByRole('button', { name: 'Save' }).click();
  await row.getByText('Bob Builder').waitFor();
  await row.getByText('disabled').waitFor();
  await row.getByText('night shift').waitFor();

  const admin = await apiLogin(ADMIN, PASSWORD);
  const bob = await api<{ enable: boolean; firstname: string; lastname: string; email: string; comment: string; groups: string[]; expire: number }>('GET', '/access/users/bob@steward', admin);
  const { enable, firstname, lastname, email, comment, groups, expire } = bob.data;
  assert.deepEqual({ enable, firstname, lastname, email, comment, groups, expire },
    { enable: false, firstname: 'Bob', lastname: 'Builder', email: 'bob@example.com', comment: 'night shift', groups: ['operators', 'night'], expire: Math.floor(new Date('2031-05-17T23:59:59').getTime() / 1000) });
  assert.equal((await request(`${suite.stack.url}/api2/json/access/ticket`, { method: 'POST', body: { username: 'bob@steward', password: 'bob second password' } })).status, 401, 'a disabled user cannot log in');

  // Clearing a field deletes it; enabling again lets the user in.
  await page.getByRole('button', { name: 'Edit bob@steward' }).click();
  await edit.getByLabel('Comment').fill('');
  await edit.getByRole('checkbox', { name: /Enabled/ }).check();
  await edit.getByRole('button', { name: 'Save' }).click();
  await row.getByText('disabled').waitFor({ state: 'detached' });
  const again = await api<{ enable: boolean; comment?: string }>('GET', '/access/users/bob@steward', admin);
  assert.equal(again.data.enable, true);
  assert.equal(again.data.comment, undefined);
  await apiLogin('bob@steward', 'bob second password');
  tp.assertClean();
  await tp.close();
});

test('an admin unlocks the second factors of a user locked out by wrong TOTP codes', async () => {
  const user = 'locked@steward';
  const password = 'locked user password';
  const totp = new TOTP({ secret: new Secret({ size: 20 }) });
  const own = await apiLogin(user, password);
  const enrol = await api('POST', `/access/tfa/${user}`, own, { type: 'totp', totp: totp.toString(), value: totp.generate(), description: 'phone', password });
  assert.equal(enrol.status, 200);
  const wrong = String((Number(totp.generate()) + 500_000) % 1_000_000).padStart(6, '0');
  for (let i = 0; i < 8; i++) {
    const first = await api<{ ticket: string }>('POST', '/access/ticket', {}, { username: user, password });
    assert.equal(first.status, 200, `attempt ${i + 1}: the password step`);
    const second = await api('POST', '/access/ticket', {}, { username: user, password: `totp:${wrong}`, 'tfa-challenge': first.data.ticket });
    assert.equal(second.status, 401);
  }
  const lockedOut = await request(`${suite.stack.url}/api2/json/access/ticket`, { method: 'POST', body: { username: user, password } });
  assert.equal(lockedOut.json<{ code: string }>().code, 'tfa_locked', 'TOTP is locked after 8 wrong codes');

  const tp = await loggedInPage(suite, ADMIN, PASSWORD);
  const { page } = tp;
  await page.goto('/admin/users');
  const row = page.getByRole('row', { name: /locked@steward/ });
  await row.getByText('TOTP locked').waitFor();
  await screenshots(tp, 'users');
  await page.getByRole('button', { name: `Unlock second factors of ${user}` }).click();
  const ask = page.locator('st-confirm');
  await ask.getByText('The lock after too many wrong codes is lifted').waitFor();
  await ask.getByRole('button', { name: 'Unlock' }).click();
  await page.getByText(`Second factors of ${user} unlocked`).waitFor();
  await row.getByText('TOTP locked').waitFor({ state: 'detached' });
  await row.getByText('Authenticator app').waitFor();
  assert.equal(await page.getByRole('button', { name: `Unlock second factors of ${user}` }).count(), 0);

  // The user logs in again with the next period's code (this period's was used to enrol).
  const first = await api<{ ticket: string }>('POST', '/access/ticket', {}, { username: user, password });
  assert.equal(first.status, 200);
  const ok = await api('POST', '/access/ticket', {}, { username: user, password: `totp:${totp.generate({ timestamp: Date.now() + 30_000 })}`, 'tfa-challenge': first.data.ticket });
  assert.equal(ok.status, 200, 'after the unlock the code is accepted');
  tp.assertClean();
  await tp.close();
});

test('an admin creates, edits and removes another user’s API tokens', async () => {
  const admin = await apiLogin(ADMIN, PASSWORD);
  const created = await api<{ tokenid: string; value: string }>('POST', '/access/users/carol@steward/token/backup', admin, { comment: 'nightly backup' });
  assert.equal(created.status, 201);
  const auth = { authorization: `StewardAPIToken=${created.data.tokenid}:${created.data.value}` };
  assert.equal((await api('GET', '/version', auth)).status, 200, 'the new token works');

  const tp = await loggedInPage(suite, ADMIN, PASSWORD);
  const { page } = tp;
  await page.goto('/admin/tokens');
  await page.getByRole('table', { name: 'API tokens' }).getByText('No tokens.').waitFor();
  await page.getByLabel('Tokens of').selectOption('carol@steward');
  const row = page.getByRole('row', { name: /carol@steward!backup/ });
  await row.getByText('nightly backup').waitFor();

  // A token made here for carol: its secret is shown once, and it works.
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.locator('st-dialog').getByLabel('Name').fill('from-ui');
  await page.locator('st-dialog').getByRole('button', { name: 'Create' }).click();
  const secret = (await page.getByLabel('Token secret').textContent())!.trim();
  assert.match(secret, /^carol@steward!from-ui:\S+$/);
  assert.equal((await api('GET', '/version', { authorization: `StewardAPIToken=${secret}` })).status, 200, 'the secret shown works');
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('row', { name: /carol@steward!from-ui/ }).waitFor();

  await page.getByRole('button', { name: 'Edit carol@steward!backup' }).click();
  const edit = page.locator('st-dialog');
  await edit.getByLabel('Comment').fill('weekly backup');
  await edit.getByLabel('Ceiling role').selectOption('Audit');
  await edit.getByLabel(/^Expires/).fill('2030-01-31');
  await edit.getByRole('checkbox', { name: /Enabled/ }).uncheck();
  await screenshots(tp, 'tokens-edit');
  await edit.getByRole('button', { name: 'Save' }).click();
  await row.getByText('weekly backup').waitFor();
  await row.getByText('disabled').waitFor();
  const t = await api<{ comment: string; role: string; enable: boolean; expire: number }>('GET', '/access/users/carol@steward/token/backup', admin);
  assert.equal(t.data.comment, 'weekly backup');
  assert.equal(t.data.role, 'Audit');
  assert.equal(t.data.enable, false);
  assert.equal(t.data.expire, Math.floor(new Date('2030-01-31T23:59:59').getTime() / 1000));
  assert.equal((await api('GET', '/version', auth)).status, 401, 'a disabled token is refused');

  // Cancel keeps the token; confirming removes it.
  const remove = page.getByRole('button', { name: 'Remove carol@steward!backup' });
  await remove.click();
  const ask = page.locator('st-confirm');
  await ask.getByText('Scripts using this token stop working').waitFor();
  await screenshots(tp, 'tokens-remove');
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await ask.waitFor({ state: 'detached' });
  assert.equal((await api('GET', '/access/users/carol@steward/token/backup', admin)).status, 200, 'cancel keeps the token');
  await remove.click();
  await ask.getByRole('button', { name: 'Remove' }).click();
  await row.waitFor({ state: 'detached' });
  assert.equal((await api('GET', '/access/users/carol@steward/token/backup', admin)).status, 404);
  tp.assertClean();
  await tp.close();
});

test('removing a user asks in page: the id typed, focus kept in the dialog and returned', async () => {
  const tp = await openPage(suite.browser, suite.stack);
  const { page } = tp;
  let nativeDialogs = 0;
  page.on('dialog', () => { nativeDialogs++; });
  await login(page, ADMIN, PASSWORD);
  await page.goto('/admin/users');
  const remove = page.getByRole('button', { name: 'Remove carol@steward' });
  await remove.click();
  const ask = page.locator('st-confirm');
  await page.getByRole('dialog', { name: 'Remove carol@steward?' }).waitFor();
  assert.equal((await focusPath(page)).id, 'typed', 'focus starts in the field to type the id in');
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab');
    assert.ok((await focusPath(page)).hosts.includes('st-confirm'), 'Tab stays in the dialog');
  }
  await ask.getByLabel('Type carol@steward to confirm').fill('carol');
  await ask.getByRole('button', { name: 'Remove' }).click();
  await ask.getByText('That is not carol@steward.').waitFor();
  await screenshots(tp, 'users-remove');
  const admin = await apiLogin(ADMIN, PASSWORD);
  assert.equal((await api('GET', '/access/users/carol@steward', admin)).status, 200, 'a wrong id removes nothing');

  await page.keyboard.press('Escape');
  await ask.waitFor({ state: 'detached' });
  assert.equal((await focusPath(page)).label, 'Remove carol@steward', 'focus is back on the button that opened the dialog');

  await remove.click();
  await ask.getByLabel('Type carol@steward to confirm').fill('carol@steward');
  await page.keyboard.press('Enter');
  await page.getByRole('row', { name: /carol@steward/ }).waitFor({ state: 'detached' });
  assert.equal((await api('GET', '/access/users/carol@steward', admin)).status, 404);
  assert.equal(nativeDialogs, 0, 'no native confirm()');
  tp.assertClean();
  await tp.close();
});

test('removing an own second factor asks for the password in page', async () => {
  // The wrong password is answered 401, which the browser logs as a failed resource load.
  const tp = await loggedInPage(suite, 'dave@steward', 'dave password', { allowConsole: [/status of 401/] });
  const { page } = tp;
  await page.goto('/admin/tfa');
  await page.getByRole('button', { name: 'Recovery keys' }).click();
  const form = page.locator('st-dialog');
  await form.getByLabel('Your password').fill('dave password');
  await form.getByRole('button', { name: 'Generate' }).click();
  // The keys' box (the dialog itself is also named "Recovery keys").
  const box = page.locator('st-view-tfa div.keys');
  await box.waitFor();
  const keys = (await box.textContent())!.trim().split('\n');
  assert.equal(keys.length, 10, `ten one-time keys are shown: ${JSON.stringify(keys)}`);
  await form.getByRole('button', { name: 'Done' }).click();
  const table = page.getByRole('table', { name: 'Second factors' });
  await table.getByRole('cell', { name: 'Recovery keys', exact: true }).waitFor();

  await table.getByRole('button', { name: 'Remove' }).click();
  const ask = page.locator('st-confirm');
  await ask.getByLabel('Your password').fill('not my password');
  await ask.getByRole('button', { name: 'Remove' }).click();
  await page.getByText(/Removing failed/).waitFor();
  await table.getByRole('cell', { name: 'Recovery keys', exact: true }).waitFor();

  await table.getByRole('button', { name: 'Remove' }).click();
  await ask.getByLabel('Your password').fill('dave password');
  await screenshots(tp, 'tfa-remove');
  await ask.getByRole('button', { name: 'Remove' }).click();
  await table.getByText('No second factor yet').waitFor();
  tp.assertClean();
  await tp.close();
});
