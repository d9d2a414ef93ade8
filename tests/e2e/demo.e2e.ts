// Against the simulator's demo scenario (added as remotes the way `make demo` does): the
// dashboard names every problem the API reports and counts the backup gaps, the Backups page
// its unprotected guests and failed jobs, and a stopped guest is started from its page with its task followed to the end.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { screenshots } from './browser.ts';
import { apiCalls, loggedInPage, useSuite } from './session.ts';

const PASSWORD = 'demo admin password';
const CUSTOMER = 'customer password 1';
const LAB = 'lab team password 1';
const suite = useSuite({ 'admin@steward': [PASSWORD], 'customer@steward': [CUSTOMER, null], 'lab@steward': [LAB, null] }, { before, after }, { demo: true });

interface Status { remotes: { list: { remote: string; status: string }[] }; 'failed-tasks': { remote: string; status?: string }[] }
interface Guest { remote: string; type: string; vmid: number; name?: string; status?: string; template?: boolean }

test('the dashboard shows the demo scenario’s problems', async () => {
  const tp = await loggedInPage(suite, 'admin@steward', PASSWORD);
  const { page } = tp;
  const status = await page.evaluate(async () => ((await (await fetch('/api2/json/resources/status')).json()) as { data: Status }).data);
  const bad = status.remotes.list.filter((r) => r.status !== 'ok');
  assert.ok(bad.length + status['failed-tasks'].length > 0, 'the demo scenario has problems to show');
  const remotes = page.getByRole('region', { name: 'Remote status' });
  for (const r of bad) {
    const row = remotes.locator('li').filter({ has: page.getByRole('link', { name: r.remote, exact: true }) });
    await row.locator('.badge').getByText(r.status, { exact: true }).waitFor();
  }
  const failed = page.getByRole('region', { name: 'Failed tasks' });
  for (const task of status['failed-tasks'].slice(0, 8)) await failed.getByText(task.remote, { exact: false }).first().waitFor();
  await screenshots(tp, 'dashboard-demo');
  tp.assertClean();
  await tp.close();
});

test('start a stopped guest of the demo and watch its task finish', async () => {
  const tp = await loggedInPage(suite, 'admin@steward', PASSWORD);
  const { page } = tp;
  const list = await page.evaluate(async () =>
    ((await (await fetch('/api2/json/resources/list?search=%2Btype%3Aqemu%20%2Bstatus%3Astopped&limit=50')).json()) as { data: { resources: Guest[] } }).data.resources);
  const guest = list.find((g) => !g.template);
  assert.ok(guest, 'the demo scenario has a stopped VM to start');
  await page.goto(`/remotes/${guest.remote}/qemu/${guest.vmid}`);
  // Its history is served from Steward's metrics store: stopped all along, it has sizes but
  // no CPU, memory or network figures, and its charts say so rather than draw empty axes.
  const history = page.getByRole('region', { name: 'Usage history' });
  await history.getByRole('heading', { name: 'Memory' }).waitFor();
  assert.equal(await history.getByText('No data for this period').count(), 3, 'CPU, memory and network');
  assert.equal(await history.getByRole('img').count(), 0);
  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByRole('status', { name: 'Task status' }).getByText('OK').waitFor({ timeout: 60_000 });
  await page.getByLabel('Guest status').getByText('running').waitFor({ timeout: 30_000 });
  // The guest's own task list has the start, finished, with its log a click away.
  const tasks = page.getByRole('table', { name: 'Tasks of this guest' });
  const row = tasks.getByRole('row').filter({ hasText: `start ${guest.vmid}` }).filter({ hasText: 'OK' }).first();
  await row.waitFor({ timeout: 30_000 });
  await row.getByRole('button', { name: /^Log/ }).click();
  // (the log is slotted into st-dialog, so it is found from the element, not the dialog role)
  await page.locator('st-dialog[heading="Task log"]').getByText('TASK OK').waitFor();
  await page.keyboard.press('Escape');
  await screenshots(tp, 'guest-demo');
  tp.assertClean();
  await tp.close();
});

test('the Backups page lists the demo guests in no backup job and the failed verify job', async () => {
  const tp = await loggedInPage(suite, 'admin@steward', PASSWORD);
  const { page } = tp;
  // The slow refresh runs on the poller's next tick after the first refresh: wait for it, as the page shows one answer.
  interface Backups { remotes: { remote: string; time?: number; 'not-backed-up'?: { vmid: number; name?: string }[]; 'job-results'?: { kind: string; id: string; failed: boolean }[] }[] }
  let data: Backups = { remotes: [] };
  for (let i = 0; i < 100; i++) {
    data = await page.evaluate(async () => ((await (await fetch('/api2/json/resources/backups')).json()) as { data: Backups }).data);
    if (data.remotes.length > 0 && data.remotes.every((r) => r.time)) break;
    await page.waitForTimeout(200);
  }
  const missing = data.remotes.flatMap((r) => (r['not-backed-up'] ?? []).map((g) => ({ remote: r.remote, ...g })));
  assert.ok(missing.length > 0, 'the demo has guests in no backup job');
  const failedVerify = data.remotes.flatMap((r) => r['job-results'] ?? []).find((j) => j.kind === 'verify' && j.failed);
  assert.ok(failedVerify, 'the demo has a failed verify job');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Backups' }).click();
  await page.getByRole('heading', { level: 1, name: 'Backups' }).waitFor();
  const table = page.getByRole('table', { name: 'Guests in no backup job' });
  for (const g of missing) await table.getByRole('row').filter({ hasText: g.remote }).filter({ has: page.getByRole('link', { name: String(g.vmid), exact: true }) }).filter({ hasText: g.name ?? '' }).first().waitFor();
  assert.equal(await table.locator('tbody tr').count(), missing.length);
  const jobs = page.getByRole('table', { name: 'Last runs of the Backup Server jobs' });
  const row = jobs.getByRole('row').filter({ hasText: failedVerify.id });
  await row.getByText('failed', { exact: true }).waitFor();
  assert.equal(await row.getAttribute('class'), 'failed', 'the failure is highlighted');
  // Failures are listed first.
  assert.match(await jobs.locator('tbody tr').first().getAttribute('class') ?? '', /failed/);
  // The lab cluster writes into the `lab` namespace of the lab datastore; prod into the root.
  const groups = page.getByRole('table', { name: 'Backup groups on the Backup Servers' });
  const cell = (n: number, text: string) => page.locator(`td:nth-child(${n})`, { hasText: new RegExp(`^${text}$`) });
  const inNs = (store: string, ns: string) => groups.locator('tbody tr').filter({ has: cell(2, store) }).filter({ has: cell(3, ns) });
  await inNs('lab', 'lab').first().waitFor();
  await inNs('prod', 'root').first().waitFor();
  await screenshots(tp, 'backups-demo');
  tp.assertClean();
  await tp.close();
});

test('the lab datastore page lists the snapshots of the namespace chosen; a Backups group links to its namespace', async () => {
  const tp = await loggedInPage(suite, 'admin@steward', PASSWORD);
  const { page } = tp;
  interface Snap { 'backup-type': string; 'backup-id': string; 'backup-time': number }
  const snapshots = (ns: string) => page.evaluate(async (q) => ((await (await fetch(`/api2/json/pbs/remotes/backup/datastore/lab/snapshots${q}`)).json()) as { data: Snap[] }).data, ns ? `?ns=${ns}` : '');
  // The demo lab cluster writes into namespace lab of the lab datastore, nothing into its root.
  const inLab = (await snapshots('lab')).sort((a, b) => b['backup-time'] - a['backup-time']);
  const inRoot = await snapshots('');
  assert.ok(inLab.length > 0, 'the lab cluster has snapshots in namespace lab');
  await page.goto('/remotes/backup/datastore/lab');
  await page.getByRole('heading', { level: 1, name: 'Datastore lab' }).waitFor();
  const region = page.getByRole('region', { name: 'Snapshots' });
  const choice = region.getByRole('combobox', { name: 'Namespace' });
  await choice.locator('option[value="lab"]').waitFor({ state: 'attached' });
  assert.deepEqual(await choice.locator('option').allTextContents(), ['Root namespace', 'lab']);
  await region.getByRole('heading', { name: `Snapshots (${inRoot.length})` }).waitFor();
  assert.equal(await region.getByRole('table', { name: 'Snapshots in the root namespace' }).locator('tbody tr').count(), inRoot.length);
  assert.equal(await choice.inputValue(), '');
  assert.equal(new URL(page.url()).search, '', 'a caller PBS lets list the root stays there, empty as it is');

  await choice.selectOption('lab');
  const table = region.getByRole('table', { name: 'Snapshots in namespace lab' });
  await region.getByRole('heading', { name: `Snapshots (${inLab.length})` }).waitFor();
  assert.equal(await table.locator('tbody tr').count(), Math.min(inLab.length, 500));
  const newest = inLab[0]!;
  assert.equal(await table.locator('tbody tr').first().locator('td').first().textContent(), `${newest['backup-type']}/${newest['backup-id']}`, 'newest first');
  assert.equal(new URL(page.url()).search, '?ns=lab', 'the address names the namespace');
  // A reload keeps it.
  await page.reload();
  await region.getByRole('heading', { name: `Snapshots (${inLab.length})` }).waitFor();
  assert.equal(await choice.inputValue(), 'lab');
  await table.waitFor();
  await screenshots(tp, 'datastore-namespace-demo');

  // The Backups page's groups open the datastore in their namespace.
  for (let i = 0; i < 100; i++) {
    const ready = await page.evaluate(async () => ((await (await fetch('/api2/json/resources/backups')).json()) as { data: { remotes: { time?: number }[] } }).data.remotes);
    if (ready.length > 0 && ready.every((r) => r.time)) break;
    await page.waitForTimeout(200);
  }
  await page.goto('/backups');
  const groups = page.getByRole('table', { name: 'Backup groups on the Backup Servers' });
  const row = groups.locator('tbody tr').filter({ has: page.locator('td:nth-child(3)', { hasText: /^lab$/ }) }).first();
  await row.getByRole('link', { name: 'lab', exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/remotes/backup/datastore/lab' && u.search === '?ns=lab');
  await region.getByRole('heading', { name: `Snapshots (${inLab.length})` }).waitFor();
  assert.equal(await choice.inputValue(), 'lab');
  tp.assertClean();
  await tp.close();
});

test('a user whose PBS token may read only namespace lab lands on its snapshots; with no namespace at all, the refusal says so', async () => {
  const admin = await loggedInPage(suite, 'admin@steward', PASSWORD);
  // A group of remotes acting on the demo PBS with its `lab-ns` token (ACL /datastore/lab/lab
  // only), and the lab team's Audit on it: two calls a script would make.
  await apiCalls(admin.page, [
    ['POST', '/api2/json/groups', { id: 'lab-team', entries: [{ remote: 'backup', credential: 'lab-ns' }] }],
    ['PUT', '/api2/json/access/acl', { path: '/groups/lab-team', role: 'Audit', 'auth-id': 'lab@steward' }],
  ]);
  await admin.close();

  // The refusals asked for below, and datastore prod's usage history, which this user cannot see (404).
  const tp = await loggedInPage(suite, 'lab@steward', LAB, { allowConsole: [/status of 40[34]/] });
  const { page } = tp;
  const get = (url: string) => page.evaluate(async (u) => { const r = await fetch(u); return { status: r.status, body: (await r.json()) as { data: unknown; code?: string } }; }, url);
  // What PBS tells this token: the root refused, namespace lab listed, its snapshots readable.
  assert.equal((await get('/api2/json/pbs/remotes/backup/datastore/lab/snapshots')).body.code, 'remote_forbidden');
  assert.deepEqual((await get('/api2/json/pbs/remotes/backup/datastore/lab/namespaces')).body.data, [{ ns: 'lab' }]);
  const inLab = (await get('/api2/json/pbs/remotes/backup/datastore/lab/snapshots?ns=lab')).body.data as unknown[];
  assert.ok(inLab.length > 0);

  // Opened from the dashboard without ?ns=: the page moves to namespace lab.
  await page.goto('/remotes/backup/datastore/lab');
  const region = page.getByRole('region', { name: 'Snapshots' });
  const choice = region.getByRole('combobox', { name: 'Namespace' });
  await region.getByRole('heading', { name: `Snapshots (${inLab.length})` }).waitFor();
  assert.equal(await region.getByRole('table', { name: 'Snapshots in namespace lab' }).locator('tbody tr').count(), Math.min(inLab.length, 500));
  assert.equal(await choice.inputValue(), 'lab', 'the select shows the namespace');
  assert.equal(new URL(page.url()).search, '?ns=lab', 'the address names it');
  assert.equal(await region.getByRole('alert').count(), 0, 'no refusal left on the page');
  await screenshots(tp, 'datastore-namespace-limited');
  // The address was replaced, not pushed: Back leaves the page rather than returning to the root and moving again.
  await page.goBack();
  await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/');

  // Asking for the root by name is not moved: PBS's refusal is shown, saying what is refused.
  await page.goto('/remotes/backup/datastore/lab?ns=');
  await region.getByRole('alert').getByText(/does not let you list the snapshots of the root namespace \(backup: /).waitFor();
  assert.equal(await choice.inputValue(), '');

  // No namespace of datastore prod is open to the token: the refusal stays, phrased as such.
  await page.goto('/remotes/backup/datastore/prod');
  await region.getByRole('alert').getByText(/lets you list no snapshots of datastore prod: it refuses you the root namespace and lists no namespace of it you may read \(backup: /).waitFor();
  assert.equal(new URL(page.url()).search, '');
  assert.equal(await region.getByRole('table', { name: 'Snapshots in the root namespace' }).locator('tbody tr').count(), 0);
  tp.assertClean();
  await tp.close();
});

test("a node's storages link to their usage chart; a storage without figures says it has no data", async () => {
  const tp = await loggedInPage(suite, 'admin@steward', PASSWORD);
  const { page } = tp;
  await page.goto('/remotes/lab/nodes/lab-1');
  const storages = page.getByRole('region', { name: 'Storages' });
  // The NFS share of the demo lab, 98 % full.
  await storages.getByRole('meter', { name: 'nfs-vm used' }).waitFor();
  assert.ok(Number(await storages.getByRole('meter', { name: 'nfs-vm used' }).getAttribute('aria-valuenow')) >= 95);
  await storages.getByRole('link', { name: 'nfs-vm', exact: true }).click();
  await page.getByRole('heading', { name: 'Storage nfs-vm' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/remotes/lab/nodes/lab-1/storage/nfs-vm');
  const history = page.getByRole('region', { name: 'Usage history' });
  await history.getByRole('img', { name: 'Usage chart' }).waitFor();
  const used = (await history.getByText(/^Used: /).textContent()) ?? '';
  assert.match(used, /^Used: [\d.]+ (GiB|TiB)$/);
  await page.getByRole('region', { name: 'Storage' }).getByText('nfs (shared)').waitFor();
  await screenshots(tp, 'storage-demo');
  // lab-3 is down: its local storage has no figures in any timeframe.
  await page.goto('/remotes/lab/nodes/lab-3/storage/local');
  await history.getByText('No data for this period').waitFor();
  assert.equal(await history.getByRole('img', { name: 'Usage chart' }).count(), 0, 'no empty axes');
  await history.getByRole('combobox', { name: 'Time frame' }).selectOption('week');
  await history.getByText('No data for this period').waitFor();
  tp.assertClean();
  await tp.close();
});

test('the dashboard’s Backups tile counts the guests in no job and the failed jobs, and leads to the Backups page; hidden for a caller who sees no remote', async () => {
  const tp = await loggedInPage(suite, 'admin@steward', PASSWORD);
  const { page } = tp;
  interface Summary { remotes: number; refreshed: number; 'not-backed-up': number; 'failed-jobs': number; errors: number }
  let sum: Summary | undefined;
  for (let i = 0; i < 100; i++) {
    sum = await page.evaluate(async () => ((await (await fetch('/api2/json/resources/backups?summary=1')).json()) as { data: { summary: Summary } }).data.summary);
    if (sum.remotes > 0 && sum.refreshed === sum.remotes) break;
    await page.waitForTimeout(200);
  }
  assert.ok(sum && sum['not-backed-up'] > 0 && sum['failed-jobs'] > 0, 'the demo has guests in no job and failed jobs');
  await page.goto('/');
  const tile = page.getByRole('region', { name: 'Backups' });
  await tile.getByText(sum['not-backed-up'].toLocaleString('en-US'), { exact: true }).waitFor();
  await tile.getByRole('link', { name: 'guests in no job' }).waitFor();
  await tile.getByRole('link', { name: `${sum['failed-jobs']} failed jobs` }).waitFor();
  await tile.getByRole('link', { name: 'Backups', exact: true }).click();
  await page.waitForURL('**/backups');
  await page.getByRole('heading', { level: 1, name: 'Backups' }).waitFor();
  tp.assertClean();
  await tp.close();

  // The customer holds no role yet: no remote, so no tile (the rest of the dashboard is there).
  const c = await loggedInPage(suite, 'customer@steward', CUSTOMER);
  await c.page.getByRole('region', { name: 'Remotes' }).waitFor();
  await c.page.waitForLoadState('networkidle');
  assert.equal(await c.page.getByRole('region', { name: 'Backups' }).count(), 0);
  c.assertClean();
  await c.close();
});

test('the resource tree is one tab stop and works with the arrow keys', async () => {
  const tp = await loggedInPage(suite, 'admin@steward', PASSWORD);
  const { page } = tp;
  const tree = page.getByRole('tree', { name: 'Resource tree' });
  const focused = tree.locator('[role=treeitem]:focus');
  const first = tree.getByRole('treeitem').first();
  await first.waitFor();
  assert.equal(await tree.locator('[role=treeitem][tabindex="0"]').count(), 1, 'exactly one tab stop');
  const remote = await first.getAttribute('aria-label');
  await first.focus();
  await page.keyboard.press('ArrowRight');
  await tree.locator(`[role=treeitem][aria-label="${remote}"][aria-expanded="true"]`).waitFor();
  await page.keyboard.press('ArrowRight');
  const child = await focused.getAttribute('aria-level');
  assert.equal(child, '2', 'Right on an open branch steps into its first child');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await focused.getAttribute('aria-label'), remote, 'Left on a closed child goes back to the parent');
  await page.keyboard.press('ArrowLeft');
  await tree.locator(`[role=treeitem][aria-label="${remote}"][aria-expanded="false"]`).waitFor();
  await page.keyboard.press('End');
  await page.keyboard.press('Home');
  assert.equal(await focused.getAttribute('aria-label'), remote);
  assert.equal(await tree.locator('[role=treeitem][tabindex="0"]').count(), 1, 'still one tab stop');
  await page.keyboard.press('Enter');
  await page.waitForURL(`**/remotes/${remote}`);
  tp.assertClean();
  await tp.close();
});

test('a customer with Manage on a saved view gets action buttons on its guests only', async () => {
  const admin = await loggedInPage(suite, 'admin@steward', PASSWORD);
  await apiCalls(admin.page, [
    ['POST', '/api2/json/views', { id: 'web', search: 'name:web' }],
    ['PUT', '/api2/json/access/acl', { path: '/views/web', role: 'Manage', 'auth-id': 'customer@steward' }],
  ]);
  const first = (search: string) => admin.page.evaluate(async (q) =>
    ((await (await fetch(`/api2/json/resources/list?search=${encodeURIComponent(q)}&limit=1`)).json()) as { data: { resources: Guest[] } }).data.resources[0], search);
  const guests = { inView: await first('+type:qemu name:web'), outside: await first('+type:qemu -name:web') };
  await admin.close();
  assert.ok(guests.inView && guests.outside, 'the demo has VMs named web… and others');

  const tp = await loggedInPage(suite, 'customer@steward', CUSTOMER, { allowConsole: [/403/] });
  const { page } = tp;
  await page.goto(`/remotes/${guests.inView.remote}/qemu/${guests.inView.vmid}`);
  await page.getByRole('group', { name: 'Actions' }).getByRole('button', { name: 'Migrate' }).waitFor();
  await page.goto(`/remotes/${guests.outside.remote}/qemu/${guests.outside.vmid}`);
  await page.getByRole('heading', { level: 1 }).waitFor();
  await page.getByText(/permission check failed|forbidden/i).first().waitFor();
  assert.equal(await page.getByRole('group', { name: 'Actions' }).count(), 0, 'no buttons on a guest outside the view');
  tp.assertClean();
  await tp.close();
});
