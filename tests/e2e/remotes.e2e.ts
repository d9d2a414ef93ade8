// The add-remote wizard end to end against a small Proxmox VE stand-in (tests/fixtures'
// fake-proxmox, one node, two guests): probe, compare the fingerprint, trust, test the API
// token, see the discovered node, save; then the remote's guests are searchable in the
// resources table, and the audit log names who added it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeProxmox } from '../fixtures/fake-proxmox.ts';
import type { FakeProxmox } from '../fixtures/fake-proxmox.ts';
import { openPage, screenshots } from './browser.ts';
import { login, useSuite } from './session.ts';

const PASSWORD = 'remote admin password';
const TOKEN = 'root@pam!steward';
const SECRET = '8f3a2c1e-1111-4222-8333-944455556666';
const suite = useSuite({ 'admin@steward': [PASSWORD] }, { before, after });

const GUESTS = [
  { id: 'qemu/100', type: 'qemu', vmid: 100, name: 'web', node: 'pve1', status: 'running', cpu: 0.12, maxcpu: 2, mem: 1e9, maxmem: 2e9, uptime: 3600 },
  { id: 'qemu/101', type: 'qemu', vmid: 101, name: 'db', node: 'pve1', status: 'stopped', maxcpu: 4, maxmem: 8e9 },
  { id: 'node/pve1', type: 'node', node: 'pve1', status: 'online', cpu: 0.05, maxcpu: 8, mem: 4e9, maxmem: 16e9, uptime: 86400 },
];

let pve: FakeProxmox;
before(async () => {
  pve = await startFakeProxmox((req) => {
    if (!req.path.startsWith('/api2/json/')) return { status: 404, reason: 'Not Found' };
    if (req.headers.authorization !== `PVEAPIToken=${TOKEN}=${SECRET}`) return { status: 401, reason: 'authentication failure' };
    const path = req.path.slice('/api2/json'.length).split('?')[0];
    switch (path) {
      case '/version': return { data: { version: '9.0.3', release: '9.0', repoid: 'abc' } };
      case '/access/permissions': return { data: { '/': { 'Sys.Audit': 1, 'VM.Audit': 1, 'Datastore.Audit': 1, 'VM.PowerMgmt': 1, 'VM.Migrate': 1 } } };
      case '/cluster/status': return { data: [{ type: 'node', name: 'pve1', local: 1, online: 1, ip: '127.0.0.1', id: 'node/pve1' }] };
      case '/cluster/resources': return { data: GUESTS };
      case '/cluster/tasks': return { data: [] };
      case '/nodes/pve1/apt/update': return { data: [] };
      case '/nodes/pve1/subscription': return { data: { status: 'notfound' } };
      default: return { status: 501, reason: 'Method not implemented' };
    }
  });
});
after(async () => {
  await pve?.close();
});

test('add a remote with the wizard; its guests become searchable; the audit log shows it', async () => {
  // The deliberately wrong token secret is answered 502 (the remote refused it), which the browser logs.
  const tp = await openPage(suite.browser, suite.stack, { allowConsole: [/status of 502/] });
  const { page } = tp;
  await login(page, 'admin@steward', PASSWORD);
  await page.goto('/admin/remotes');
  await page.getByRole('button', { name: 'Add remote' }).click();
  const wizard = page.locator('st-add-remote');
  await wizard.getByLabel('Host name or address').fill('127.0.0.1');
  await wizard.getByLabel('Port').fill(String(pve.port));
  await wizard.getByRole('button', { name: 'Connect' }).click();
  // The fingerprint shown is the one the host really has.
  const shown = (await wizard.getByLabel('Certificate fingerprint').textContent())?.trim();
  assert.equal(shown?.toUpperCase(), pve.fingerprint.toUpperCase());
  await screenshots(tp, 'wizard-certificate');
  await wizard.getByRole('button', { name: 'Trust this certificate' }).click();
  await wizard.getByLabel('Token id').fill(TOKEN);
  await wizard.getByLabel('Token secret').fill('wrong-secret');
  await wizard.getByRole('button', { name: 'Test and discover nodes' }).click();
  await wizard.getByRole('alert').waitFor();
  await wizard.getByLabel('Token secret').fill(SECRET);
  await wizard.getByRole('button', { name: 'Test and discover nodes' }).click();
  await wizard.getByRole('table', { name: 'Discovered nodes' }).getByText('pve1').waitFor();
  await wizard.getByLabel('Remote id').fill('lab');
  await wizard.getByRole('button', { name: 'Add remote' }).click();
  await wizard.getByText('Remote added').waitFor();
  await page.keyboard.press('Escape');
  await page.getByRole('table', { name: 'Remotes' }).getByRole('link', { name: 'lab' }).waitFor();

  // After the first poll the guests are in the table, and a search narrows it.
  await page.goto('/remotes/lab');
  await page.getByRole('button', { name: 'Refresh now' }).click();
  await page.goto('/resources?search=remote:lab');
  await page.getByRole('status').getByText('3 resources').waitFor();
  await page.getByRole('searchbox', { name: 'Filter resources' }).fill('+remote:lab web');
  await page.getByRole('status').getByText('1 resource', { exact: true }).waitFor();
  await page.getByRole('link', { name: '100 (web)' }).waitFor();

  await page.goto('/admin/audit');
  const audit = page.getByRole('table', { name: 'Audit log' });
  await audit.getByText('remote.create').waitFor();
  assert.match((await audit.locator('tr', { hasText: 'remote.create' }).first().textContent()) ?? '', /admin@steward/);
  tp.assertClean();
  await tp.close();
});
