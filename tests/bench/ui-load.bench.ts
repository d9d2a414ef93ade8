// The UI's own cost at 50,000 guests, in Debian's Chromium against the real steward-api
// serving the bundle: time from navigation to a usable dashboard, to a filtered resources
// table, and the table's DOM size while scrolling through every row.
//
// The API answers are stubbed at the browser's network boundary (page.route) with 50,000
// generated guests, paged and filtered the way /resources/list does, so the figures are the
// browser's share (bundle, rendering, paging) without the poller or a simulator. The same
// numbers against the simulator's scale scenario need the login route and the simulator.
import { startStack } from '../harness/stack.ts';
import { launchBrowser, openPage } from '../e2e/browser.ts';
import { stubApi } from '../e2e/stub-api.ts';

const GUESTS = 50_000;
const GOAL_MS = 1500;

const stack = await startStack();
const browser = await launchBrowser();
try {
  const tp = await openPage(browser, stack);
  const { page } = tp;
  await stubApi(page, { guests: GUESTS });

  let t = performance.now();
  await page.goto('/');
  await page.getByRole('region', { name: 'Virtual machines' }).getByText('42,857').waitFor();
  const dashboardMs = performance.now() - t;

  t = performance.now();
  await page.goto('/resources?search=guest-4999');
  await page.getByRole('status').getByText('11 resources').waitFor();
  await page.getByRole('link', { name: '5099 (guest-4999)' }).waitFor();
  const filteredMs = performance.now() - t;

  t = performance.now();
  await page.goto('/resources');
  await page.getByRole('status').getByText('50,000 resources').waitFor();
  await page.getByRole('link', { name: '100 (guest-0)' }).waitFor();
  const fullMs = performance.now() - t;

  // Scroll through every row, a screenful at a time, and record the DOM size.
  const scroll = await page.locator('st-resource-table').evaluate(async (el) => {
    const vp = el.shadowRoot!.querySelector<HTMLElement>('.viewport')!;
    // (No named helpers in here: tsx would wrap them in a __name() the page does not have.)
    let maxRows = 0;
    const started = performance.now();
    for (let top = 0; top < vp.scrollHeight; top += vp.clientHeight * 25) {
      vp.scrollTop = top;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      maxRows = Math.max(maxRows, el.shadowRoot!.querySelectorAll('.tr').length);
    }
    vp.scrollTop = vp.scrollHeight;
    await new Promise((r) => setTimeout(r, 300));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const last = [...el.shadowRoot!.querySelectorAll('.tr a')].map((a) => a.textContent).pop();
    return { maxRows, last, ms: performance.now() - started };
  });

  const line = (label: string, ms: number) => `${label}: ${Math.round(ms)} ms ${ms <= GOAL_MS ? '(goal ≤ 1500 ms: met)' : '(goal ≤ 1500 ms: MISSED)'}`;
  console.log(`UI at ${GUESTS.toLocaleString()} guests (API stubbed in the browser; Chromium ${browser.version()})`);
  console.log(line('navigation → usable dashboard', dashboardMs));
  console.log(line('navigation → filtered resources table', filteredMs));
  console.log(line('navigation → full resources table (first page)', fullMs));
  console.log(`scrolling all rows: at most ${scroll.maxRows} rows in the DOM; last row ${scroll.last}; ${Math.round(scroll.ms)} ms`);
  if (tp.problems.length) throw new Error(`browser problems: ${tp.problems.join('; ')}`);
  await tp.close();
} finally {
  await browser.close();
  await stack.stop();
}
