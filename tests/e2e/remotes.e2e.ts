// The add-remote wizard end to end against the simulator's demo host meant for it (`single`,
// a standalone PVE node with eight guests): probe, compare the fingerprint, trust, test the
// API token (a wrong secret first), see the discovered node, save; then the remote's guests
// are searchable in the resources table, and the audit log names who added it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSim } from '../sim/index.ts';
import type { Sim, SimRemote } from '../sim/index.ts';
import { SimClient } from '../sim/testing.ts';
import { screenshots } from './browser.ts';
import { loggedInPage, useSuite } from './session.ts';

const PASSWORD = 'remote admin password';
const suite = useSuite({ 'admin@steward': [PASSWORD] }, { before, after });

let sim: Sim;
let single: SimRemote;
before(async () => {
  sim = await startSim({ scenario: 'demo', recordRequests: true });
  single = sim.remotes.find((r) => r.id === 'single')!;
});
after(async () => {
  await sim?.close();
});

test('add a remote with the wizard; its guests become searchable; the audit log shows it', async () => {
  // The deliberately wrong token secret is answered 502 (the remote refused it), which the browser logs.
  const tp = await loggedInPage(suite, 'admin@steward', PASSWORD, { allowConsole: [/status of 502/] });
  const { page } = tp;
  await page.goto('/admin/remotes');
  await page.getByRole('button', { name: 'Add remote' }).click();
  const wizard = page.locator('st-add-remote');
  const node = single.nodes[0]!;
  const token = single.credentials.find((c) => c.kind === 'token') as { tokenid: string; secret: string };
  await wizard.getByLabel('Host name or address').fill(node.host);
  await wizard.getByLabel('Port').fill(String(node.port));
  await wizard.getByRole('button', { name: 'Connect' }).click();
  // The fingerprint shown is the one the host really has.
  const shown = (await wizard.getByLabel('Certificate fingerprint').textContent())?.trim();
  assert.equal(shown?.toUpperCase(), node.fingerprint.toUpperCase());
  assert.ok(sim.requests.every((r) => !r.headers.authorization && !r.headers.cookie), 'no credential sent before the certificate is trusted');
  await screenshots(tp, 'wizard-certificate');
  await wizard.getByRole('button', { name: 'Trust this certificate' }).click();
  await wizard.getByLabel('Token id').fill(token.tokenid);
  await wizard.getByLabel('Token secret').fill('wrong-secret');
  await wizard.getByRole('button', { name: 'Test and discover nodes' }).click();
  await wizard.getByRole('alert').waitFor();
  await wizard.getByLabel('Token secret').fill(token.secret);
  await wizard.getByRole('button', { name: 'Test and discover nodes' }).click();
  await wizard.getByRole('table', { name: 'Discovered nodes' }).getByText(node.name).waitFor();
  await wizard.getByLabel('Remote id').fill('lab');
  await wizard.getByRole('button', { name: 'Add remote' }).click();
  await wizard.getByText('Remote added').waitFor();
  await page.keyboard.press('Escape');
  await page.getByRole('table', { name: 'Remotes' }).getByRole('link', { name: 'lab' }).waitFor();

  // After the first poll the guests are in the table, and a search narrows it.
  await page.goto('/remotes/lab');
  await page.getByRole('button', { name: 'Refresh now' }).click();
  // As many as the host lists: its guests, the node and its storages.
  const listed = ((await new SimClient(single).get('/cluster/resources')).data as { type: string }[]).filter((r) => ['qemu', 'lxc', 'node', 'storage'].includes(r.type));
  await page.goto('/resources?search=remote:lab');
  await page.getByRole('status').getByText(`${listed.length} resources`).waitFor();
  await page.getByRole('searchbox', { name: 'Filter resources' }).fill('+remote:lab pihole');
  await page.getByRole('status').getByText('1 resource', { exact: true }).waitFor();
  await page.getByRole('link', { name: '102 (pihole)' }).waitFor();

  await page.goto('/admin/audit');
  const audit = page.getByRole('table', { name: 'Audit log' });
  await audit.getByText('remote.create').waitFor();
  assert.match((await audit.locator('tr', { hasText: 'remote.create' }).first().textContent()) ?? '', /admin@steward/);
  tp.assertClean();
  await tp.close();
});
