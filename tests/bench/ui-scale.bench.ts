// The UI at 50,000 guests end to end: Debian's Chromium against a real steward-api whose
// poller has refreshed the simulator's `scale` scenario (200 PVE clusters × 5 nodes × 50
// guests, in its own process). Time from navigation to a usable dashboard, to a filtered
// resources table, and to the full table.
import { launchBrowser, openPage } from '../e2e/browser.ts';
import { login } from '../e2e/session.ts';
import { request } from '../harness/https.ts';
import { ADMIN, PASSWORD, startDaemonAtScale } from './daemon-at-scale.ts';

const GOAL_MS = 1500;

const d = await startDaemonAtScale();
const { stack, headers } = d;
const browser = await launchBrowser();
try {
  const status = await d.addRemotes();
  const guests = status.qemu.total + status.lxc.total;
  // The daemon's own resident memory holding all of it (api-rss.bench.ts looks at it closer).
  const apiRss = d.rssMb();
  const sample = (await request(`${stack.url}/api2/json/resources/list?search=type:qemu&limit=1&start=4321`, { headers }))
    .json<{ data: { resources: { name: string }[] } }>().data.resources[0]!;

  const tp = await openPage(browser, stack);
  const { page } = tp;
  await login(page, ADMIN, PASSWORD);

  let t0 = performance.now();
  await page.goto('/');
  await page.getByRole('region', { name: 'Virtual machines' }).getByText(status.qemu.total.toLocaleString('en-US')).waitFor();
  const dashboardMs = performance.now() - t0;

  t0 = performance.now();
  await page.goto(`/resources?search=${encodeURIComponent(`name:${sample.name}`)}`);
  await page.getByRole('link', { name: new RegExp(`\\(${sample.name}\\)`) }).first().waitFor();
  const filteredMs = performance.now() - t0;

  t0 = performance.now();
  await page.goto('/resources');
  await page.getByRole('status').getByText(/[\d,]+ resources/).waitFor();
  await page.locator('st-resource-table').getByRole('link').first().waitFor();
  const fullMs = performance.now() - t0;

  const line = (label: string, ms: number) => `${label}: ${Math.round(ms)} ms ${ms <= GOAL_MS ? '(goal ≤ 1500 ms: met)' : '(goal ≤ 1500 ms: MISSED)'}`;
  console.log(`UI against the simulator's scale scenario: ${d.remotes.length} remotes, ${guests.toLocaleString('en-US')} guests (Chromium ${browser.version()})`);
  console.log(line('navigation → usable dashboard', dashboardMs));
  console.log(line(`navigation → filtered resources table (name:${sample.name})`, filteredMs));
  console.log(line('navigation → full resources table (first page)', fullMs));
  console.log(`steward-api RSS holding ${d.remotes.length} remotes / ${guests.toLocaleString('en-US')} guests: ${apiRss.toFixed(0)} MB after the first refresh, ${d.rssMb().toFixed(0)} MB after the UI run (goal ≤ 250 MB)`);
  if (tp.problems.length) throw new Error(`browser problems: ${tp.problems.join('; ')}`);
  await tp.close();
} finally {
  await browser.close();
  await d.stop();
}
