// Accessibility of the main pages, in both themes, checked by axe-core (the standard WCAG
// rule engine): labels, names, roles, ARIA use and colour contrast. Any serious or critical
// violation fails with the rule, the element and axe's explanation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { loggedInPage, useSuite } from './session.ts';

const PASSWORD = 'a11y admin password';
const suite = useSuite({ 'admin@steward': [PASSWORD] }, { before, after }, { demo: true });
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }

async function violations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Violation[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return r.violations;
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').flatMap((v) =>
    v.nodes.slice(0, 5).map((n) => `${v.id} (${v.help}) at ${JSON.stringify(n.target)}: ${n.failureSummary ?? ''}`));
}

/** The pages a person visits most, reached the way they would (links from the dashboard). */
async function pages(page: Page): Promise<string[]> {
  const list = await page.evaluate(async () =>
    ((await (await fetch('/api2/json/resources/list?search=%2Btype%3Aqemu&limit=1')).json()) as { data: { resources: { remote: string; vmid: number; node: string }[] } }).data.resources);
  const g = list[0];
  assert.ok(g, 'the demo scenario has a VM');
  return ['/', '/resources', '/tasks', '/backups', `/remotes/${g.remote}`, `/remotes/${g.remote}/nodes/${g.node}`, `/remotes/${g.remote}/nodes/${g.node}/storage/local`, `/remotes/${g.remote}/qemu/${g.vmid}`,
    '/remotes/backup/datastore/lab?ns=lab',
    '/admin/remotes', '/admin/users', '/admin/tokens', '/admin/tfa', '/admin/acl', '/admin/groups', '/admin/views',
    '/admin/allowlist', '/admin/audit', '/admin/system', '/admin/journal', '/admin/acme', '/admin/password'];
}

for (const scheme of ['light', 'dark'] as const) {
  test(`the main pages have no serious accessibility violations (${scheme})`, async () => {
    const tp = await loggedInPage(suite, 'admin@steward', PASSWORD, { colorScheme: scheme, bypassCSP: true });
    const { page } = tp;
    const problems: string[] = [];
    for (const path of await pages(page)) {
      await page.goto(path);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      // Let data-driven parts (tables, charts, lists) render before judging them.
      await page.waitForLoadState('networkidle');
      problems.push(...(await violations(page)).map((v) => `${path}: ${v}`));
    }
    assert.deepEqual(problems, []);
    tp.assertClean();
    await tp.close();
  });
}
