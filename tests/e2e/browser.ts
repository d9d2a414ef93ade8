// The browser side of the e2e suite: Debian's Chromium driven by playwright-core (no browser
// download), pages that record every console error, page error and CSP violation, and
// screenshots into build/screenshots/. Tests fail on any of those, on a native dialog
// (alert/confirm/prompt) and on daemon error lines.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { REPO } from '../harness/stack.ts';
import type { Stack } from '../harness/stack.ts';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(REPO, 'build', 'screenshots');

export const VIEWPORTS = {
  desktop: { width: 1366, height: 860 },
  phone: { width: 390, height: 844 },
} as const;

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`make test-e2e\` (it installs Debian's chromium)`);
  // launch() gives every browser a fresh temporary profile (user-data-dir) and removes it after.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
      // The API listens on 127.0.0.1; WebAuthn needs the name localhost, which must not go to ::1.
      '--host-resolver-rules=MAP localhost 127.0.0.1',
    ],
  });
}

export interface TestPage {
  page: Page;
  context: BrowserContext;
  /** https://localhost:port */
  base: string;
  /** Console errors, uncaught page errors and CSP violations seen so far. */
  problems: string[];
  /** Fails when the page or the daemons reported an error; call at the end of each test. */
  assertClean(): void;
  close(): Promise<void>;
}

export async function openPage(
  browser: Browser,
  stack: Stack,
  opts: { viewport?: keyof typeof VIEWPORTS; colorScheme?: 'light' | 'dark'; allowConsole?: RegExp[]; bypassCSP?: boolean } = {},
): Promise<TestPage> {
  const base = `https://localhost:${stack.port}`;
  const context = await browser.newContext({
    baseURL: base,
    ignoreHTTPSErrors: true,
    viewport: VIEWPORTS[opts.viewport ?? 'desktop'],
    colorScheme: opts.colorScheme ?? 'light',
    // No animations: screenshots and clicks see the settled layout.
    reducedMotion: 'reduce',
    // Only for injecting test tooling (axe-core compiles its messages with new Function).
    bypassCSP: opts.bypassCSP ?? false,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  const allowed = (text: string) => opts.allowConsole?.some((re) => re.test(text)) ?? false;
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !allowed(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  // The UI asks in page (st-confirm); a native alert/confirm/prompt is a bug wherever it shows.
  page.on('dialog', (d) => {
    problems.push(`native ${d.type()} dialog: ${d.message()}`);
    void d.dismiss();
  });
  // CSP violations also log a console error; the event makes them impossible to miss.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  const daemonErrorsBefore = stack.errorLines().length;
  return {
    page, context, base, problems,
    assertClean() {
      assert.deepEqual(problems, [], 'the browser reported errors');
      assert.deepEqual(stack.errorLines().slice(daemonErrorsBefore), [], 'the daemons logged errors');
    },
    close: () => context.close(),
  };
}

/** Writes build/screenshots/<name>-<scheme>-<viewport>.png for all four combinations. */
export async function screenshots(tp: TestPage, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const { page } = tp;
  const original = page.viewportSize();
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [vp, size] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(size);
      // Let layout settle after the resize (media queries, the virtualized table's measurement).
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-${scheme}-${vp}.png`), fullPage: false });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  if (original) await page.setViewportSize(original);
}
