// Second factors end to end in a real Chromium: enrol an authenticator app from the QR page
// and log in with its code; register a security key with Chromium's virtual authenticator
// (CDP WebAuthn domain) and log in with it. WebAuthn needs the origin https://localhost.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { openPage, screenshots } from './browser.ts';
import { loggedInPage, login, logout, submitLogin, useSuite } from './session.ts';

const PASSWORD = 'tfa test password';
const suite = useSuite({ 'totp@steward': [PASSWORD], 'key@steward': [PASSWORD] }, { before, after });

test('enrol TOTP with the QR page, then log in with a code', async () => {
  const tp = await loggedInPage(suite, 'totp@steward', PASSWORD);
  const { page } = tp;
  await page.goto('/admin/tfa');
  await page.getByRole('button', { name: 'Add authenticator app' }).click();
  await page.getByRole('img', { name: 'QR code for the authenticator app' }).waitFor();
  const secret = (await page.getByLabel('TOTP secret').textContent())!.replace(/\s+/g, '');
  const totp = new TOTP({ secret: Secret.fromBase32(secret) });
  await screenshots(tp, 'tfa-totp-enrol');
  await page.getByLabel('Code shown by the app').fill(totp.generate());
  await page.getByLabel('Your password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByRole('table', { name: 'Second factors' }).getByRole('cell', { name: 'Authenticator app' }).first().waitFor();

  await logout(page);
  await submitLogin(page, 'totp@steward', PASSWORD);
  const code = page.getByLabel('Code from your authenticator app');
  await code.waitFor();
  await screenshots(tp, 'login-tfa');
  // The next period's code: the enrolment used this period's, and a code is accepted once.
  await code.fill(totp.generate({ timestamp: Date.now() + 30_000 }));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
  tp.assertClean();
  await tp.close();
});

test('register a security key (virtual authenticator), then log in with it', async () => {
  const tp = await openPage(suite.browser, suite.stack);
  const { page } = tp;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  await login(page, 'key@steward', PASSWORD);
  await page.goto('/admin/tfa');
  await page.getByRole('button', { name: 'Add security key' }).click();
  await page.getByLabel('Name').fill('virtual key');
  await page.getByLabel('Your password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Register key' }).click();
  await page.getByRole('table', { name: 'Second factors' }).getByText('virtual key').waitFor();
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.equal(credentials.length, 1);

  await logout(page);
  await submitLogin(page, 'key@steward', PASSWORD);
  // The key is asked at once when it is the user's only factor; the authenticator answers.
  await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
  const after = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.ok(after.credentials[0]!.signCount > credentials[0]!.signCount, 'the key signed the login challenge');
  tp.assertClean();
  await tp.close();
});
