// The host pages in the browser, against the real daemons: steward-privd runs fixture
// programs (apt-get, journalctl, systemctl — their paths come from steward.conf) and
// Debian's Pebble is the ACME CA. apt update shows its log live, the updates list opens a
// changelog, the service settings form refuses bad values before sending them, the journal
// filters and follows, and the ACME page registers, orders (its log), shows the new issuer
// on the host page, and revokes.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, startPebble } from '../harness/pebble.ts';
import type { Pebble } from '../harness/pebble.ts';
import { openPage, screenshots } from './browser.ts';
import { loggedInPage, login, useSuite } from './session.ts';

const ADMIN = 'admin@steward';
const PASSWORD = 'host pages secret 1';
const AUDITOR = 'auditor@steward';
const AUDITOR_PASSWORD = 'host pages secret 2';
const DOMAIN = 'steward.example.test';

let fixtures: string;
let pebble: Pebble | undefined;

function program(name: string, body: string): string {
  const path = join(fixtures, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return path;
}

const suite = useSuite({ [ADMIN]: [PASSWORD, 'Admin'], [AUDITOR]: [AUDITOR_PASSWORD, 'Audit'] }, { before, after }, {
  stack: async () => {
    fixtures = mkdtempSync(join(tmpdir(), 'steward-e2e-host-'));
    chmodSync(fixtures, 0o755);
    const aptGet = program('apt-get', `case "$*" in
  *dist-upgrade*) echo "Inst libssl3 [3.0.15-1~deb12u1] (3.0.16-1~deb12u1 Debian-Security:12/stable-security [amd64])" ;;
  *"changelog libssl3"*) echo "openssl (3.0.16-1~deb12u1) bookworm-security; urgency=medium"; echo "  * Fix CVE-2024-0000." ;;
  *update*) for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "Get:$i http://deb.debian.org/debian trixie InRelease [$i kB]"; sleep 0.7; done; echo "Reading package lists..." ;;
esac`);
    // Emits the entries of the units asked for (-u) up to the priority asked for, plus one
    // "tick" entry per call, so following shows new lines.
    const journalctl = program('journalctl', `units=""; prio=7
while [ $# -gt 0 ]; do case "$1" in -u) units="$units $2"; shift ;; --priority=*) prio="\${1#--priority=}" ;; esac; shift; done
n=$(cat ${fixtures}/ticks 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${fixtures}/ticks
now=$(date +%s)
emit() {
  case " $units " in *" $1 "*) ;; *) return ;; esac
  [ "$2" -le "$prio" ] || return 0
  printf '{"__REALTIME_TIMESTAMP":"%s000000","_SYSTEMD_UNIT":"%s","PRIORITY":"%s","MESSAGE":"%s"}\\n' "$4" "$1" "$2" "$3"
}
emit steward-api.service 6 "steward-api listening port=443" $((now-60))
emit steward-privd.service 3 "privd method failed method=apt.update" $((now-30))
emit steward-api.service 4 "privd unavailable method=system.info" $((now-20))
emit steward-api.service 6 "tick $n" $now`);
    const systemctl = program('systemctl', `printf 'Id=steward-api.service\\nActiveState=active\\nSubState=running\\nMainPID=4242\\nActiveEnterTimestamp=@1716199200\\nNRestarts=0\\n'`);
    const httpPort = await freePort();
    const extraConfig: Record<string, string> = { APT_GET: aptGet, JOURNALCTL: journalctl, SYSTEMCTL: systemctl, ACME_HTTP_PORT: String(httpPort) };
    const env: Record<string, string> = {};
    pebble = await startPebble({ httpPort });
    await pebble.addA(DOMAIN);
    writeFileSync(join(fixtures, 'pebble-ca.pem'), pebble.listenerCa, { mode: 0o644 });
    env.NODE_EXTRA_CA_CERTS = join(fixtures, 'pebble-ca.pem');
    return { extraConfig, env };
  },
});
after(async () => {
  await pebble?.stop();
  if (fixtures) rmSync(fixtures, { recursive: true, force: true });
});

test('apt update: the button starts a task whose log shows live; the updates list opens a changelog', async () => {
  const tp = await loggedInPage(suite, ADMIN, PASSWORD);
  const { page } = tp;
  await page.goto('/admin/system');
  const updates = page.getByRole('region', { name: 'Updates' });
  await updates.getByRole('cell', { name: /^libssl3/ }).waitFor();

  await updates.getByRole('button', { name: 'Refresh package lists' }).click();
  const log = updates.getByLabel('Task log');
  await log.getByText(/Get:1 http/).waitFor();
  const early = await log.textContent();
  assert.doesNotMatch(early ?? '', /Reading package lists/, 'lines are shown before apt-get ends');
  assert.equal(await updates.getByRole('status', { name: 'Task status' }).textContent(), 'running');
  // A reload while it runs finds the task again and keeps following it.
  await page.reload();
  await updates.getByLabel('Task log').getByText(/Get:1 http/).waitFor();
  assert.equal(await updates.getByRole('button', { name: 'Refreshing…' }).isDisabled(), true, 'no second start while it runs');
  await updates.getByRole('status', { name: 'Task status' }).getByText('OK').waitFor({ timeout: 15_000 });
  assert.match((await log.textContent()) ?? '', /Get:12[^]*Reading package lists\.\.\./);
  assert.equal(await updates.getByRole('button', { name: 'Refresh package lists' }).isEnabled(), true);

  await updates.getByRole('button', { name: 'Changelog of libssl3' }).click();
  const dialog = page.getByRole('dialog', { name: 'Changelog of libssl3' });
  await dialog.waitFor();
  await page.locator('st-dialog#changelog').getByText('Fix CVE-2024-0000').waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  await screenshots(tp, 'host-updates');
  tp.assertClean();
  await tp.close();
});

test("host tasks: apt update shows in the task bar and on the Tasks page with its log, for Admins on /system only", async () => {
  const tp = await loggedInPage(suite, ADMIN, PASSWORD);
  const { page } = tp;
  await page.goto('/admin/system');
  const updates = page.getByRole('region', { name: 'Updates' });
  await updates.getByRole('button', { name: 'Refresh package lists' }).click();
  await updates.getByLabel('Task log').getByText(/Get:1 http/).waitFor();
  // The task bar counts it as running and lists it as this host's.
  const bar = page.getByRole('button', { name: 'Tasks: 1 running' });
  await bar.waitFor();
  await bar.click();
  const recent = page.getByRole('dialog', { name: 'Recent tasks' });
  const entry = recent.getByRole('button').filter({ hasText: 'aptupdate' }).filter({ hasText: 'this host' }).first();
  await entry.getByText('running').waitFor();
  await entry.click();
  await page.locator('st-task-bar st-dialog').getByText(/Get:1 http/).waitFor();
  await page.keyboard.press('Escape');

  // The Tasks page lists it beside the remotes' tasks; it finishes there and its log is complete.
  await page.goto('/tasks');
  const table = page.getByRole('table', { name: 'Tasks' });
  const row = table.getByRole('row').filter({ hasText: 'aptupdate' }).filter({ hasText: 'this host' }).first();
  await row.getByText('running').waitFor();
  await row.getByText('OK').waitFor({ timeout: 20_000 });
  assert.equal(await row.getByRole('cell').nth(3).textContent(), ADMIN, 'started by the admin');
  await row.getByRole('button', { name: /^Log of aptupdate/ }).click();
  await page.locator('st-dialog[heading="Task log"]').getByText('Reading package lists...').waitFor();
  await page.keyboard.press('Escape');
  // Narrowed to a remote, the list is about remotes only.
  await page.getByPlaceholder('Remote id').fill('pve1');
  await page.getByPlaceholder('Remote id').press('Enter');
  await page.getByText('No tasks.').waitFor();
  tp.assertClean();
  await tp.close();

  // An auditor sees the host page but may not read /system/tasks: the UI does not ask for them.
  const ap = await openPage(suite.browser, suite.stack);
  const asked: string[] = [];
  ap.page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/api2/json/system/tasks')) asked.push(r.url()); });
  await login(ap.page, AUDITOR, AUDITOR_PASSWORD);
  await ap.page.goto('/tasks');
  await ap.page.getByText('No tasks.').waitFor();
  await ap.page.getByRole('button', { name: 'Tasks: 0 running' }).click();
  await ap.page.getByRole('dialog', { name: 'Recent tasks' }).getByText('No recent tasks.').waitFor();
  assert.deepEqual(asked, []);
  ap.assertClean();
  await ap.close();
});

test('service settings: the form says what a change does and refuses bad values without sending them', async () => {
  const tp = await openPage(suite.browser, suite.stack);
  const { page } = tp;
  const puts: string[] = [];
  page.on('request', (r) => { if (r.method() === 'PUT') puts.push(r.url()); });
  await login(page, ADMIN, PASSWORD);
  await page.goto('/admin/system');
  const form = page.getByRole('form', { name: 'Service settings' });
  const port = form.getByLabel('Port');
  const current = await port.inputValue();
  await port.fill('8443');
  await form.getByText(/steward-api restarts on the new address\/port/).waitFor();
  await port.fill(current);
  await form.getByLabel(/Trusted proxies/).fill('192.0.2.10');
  await form.getByText(/steward-api reloads its settings; connections stay open/).waitFor();

  await form.getByLabel('Listen address').fill('300.1.2.3');
  await port.fill('70000');
  await form.getByRole('button', { name: 'Save' }).click();
  await form.getByRole('alert').first().waitFor();
  const alerts = await form.getByRole('alert').allTextContents();
  assert.equal(alerts.length, 2, alerts.join(' | '));
  assert.match(alerts[1]!, /65535/, 'the port error names the limit');
  assert.deepEqual(puts, [], 'nothing was sent');
  tp.assertClean();
  await tp.close();
});

test('journal: Steward\'s units, filtered by unit, priority and text, and followed', async () => {
  const tp = await loggedInPage(suite, ADMIN, PASSWORD);
  const { page } = tp;
  await page.getByRole('link', { name: 'Journal' }).click();
  await page.getByRole('heading', { name: 'Journal', level: 1 }).waitFor();
  const rows = page.getByRole('region', { name: 'Journal entries' }).locator('tbody tr');
  await page.getByText('privd method failed method=apt.update').waitFor();
  assert.equal(await rows.count(), 4);

  await page.getByLabel('Unit').selectOption('steward-privd.service');
  await page.getByRole('status').getByText('1 of 1 entries').waitFor();
  assert.match((await rows.first().textContent()) ?? '', /steward-privd\.service\s*err\s*privd method failed/);

  await page.getByLabel('Unit').selectOption('');
  await page.getByLabel('Priority at most').selectOption('4');
  await page.getByRole('status').getByText('2 of 2 entries').waitFor();
  await page.getByLabel('Text').fill('unavailable');
  await page.getByRole('status').getByText('1 of 2 entries').waitFor();
  assert.match((await rows.first().textContent()) ?? '', /privd unavailable/);

  await page.getByLabel('Text').fill('');
  await page.getByLabel('Priority at most').selectOption('');
  await page.getByRole('status').getByText('4 of 4 entries').waitFor();
  const firstTick = Number(/tick (\d+)/.exec((await rows.last().textContent()) ?? '')?.[1]);
  await page.getByLabel('Follow').check();
  await page.getByText(`tick ${firstTick + 2}`).waitFor({ timeout: 15_000 });
  assert.equal(await page.getByText('steward-api listening port=443').count(), 1, 'entries already shown are not repeated');
  await screenshots(tp, 'host-journal');
  tp.assertClean();
  await tp.close();
});

test('ACME page against Pebble: register, order with its log, new issuer on the host page, revoke', async () => {
  const tp = await loggedInPage(suite, ADMIN, PASSWORD);
  const { page } = tp;
  await page.goto('/admin/acme');
  await page.getByText('No account yet.').waitFor();

  const accounts = page.getByRole('region', { name: 'ACME accounts' });
  await accounts.getByText('Register an account').click();
  await accounts.getByLabel('Name').fill('pebble');
  await accounts.getByLabel('Directory URL').fill(pebble!.directory);
  await accounts.getByLabel('Directory URL').dispatchEvent('change');
  await accounts.getByText(/Terms of service: |This CA publishes no terms/).waitFor();
  await accounts.getByLabel('Contact e-mail addresses').fill('admin@example.test');
  await accounts.getByLabel('I agree to the CA\'s terms of service').check();
  await accounts.getByRole('button', { name: 'Register' }).click();
  await accounts.getByRole('cell', { name: 'pebble', exact: true }).waitFor();

  const settings = page.getByRole('region', { name: 'ACME settings' });
  await settings.getByLabel('Domains').fill(DOMAIN);
  await settings.getByLabel('Challenge').selectOption('http-01');
  await settings.getByRole('button', { name: 'Save' }).click();

  const order = page.getByRole('region', { name: 'Certificate order' });
  await order.getByRole('button', { name: 'Order certificate' }).click();
  await order.getByText('ok', { exact: true }).waitFor({ timeout: 30_000 });
  const log = (await order.getByLabel('Order log').textContent()) ?? '';
  assert.match(log, /http-01 responder of steward-privd serving 1 token/);
  assert.match(log, new RegExp(`${DOMAIN.replace(/\./g, '\\.')}: validated`));
  assert.match(log, /installed .* steward-api reloaded/);
  await screenshots(tp, 'host-acme');

  await page.goto('/admin/system');
  const cert = page.getByRole('region', { name: 'Certificate' });
  await cert.getByText(/Pebble Intermediate CA/).waitFor();
  assert.match((await cert.textContent()) ?? '', new RegExp(DOMAIN.replace(/\./g, '\\.')));

  await page.goto('/admin/acme');
  await order.getByRole('button', { name: 'Revoke…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke the certificate' });
  await dialog.waitFor();
  // The form is slotted into st-dialog: found under the element, not under its <dialog>.
  const form = page.locator('st-dialog#revoke');
  await form.getByLabel('Reason').selectOption('4');
  await form.getByRole('button', { name: 'Revoke' }).click();
  await page.getByText(/Certificate .* revoked/).waitFor();
  tp.assertClean();
  await tp.close();
});
