// Logged-in browser sessions for the e2e suite: users made with steward-admin (as the demo
// does), the login form filled in like a person would.
import type { after as afterHook, before as beforeHook } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startStack } from '../harness/stack.ts';
import type { Stack, StackOptions } from '../harness/stack.ts';
import { launchBrowser, openPage } from './browser.ts';
import type { TestPage } from './browser.ts';



/** Creates a user with steward-admin; `role` on / (null: no role, for grants made later). */
export async function createUser(stack: Stack, userid: string, password: string, role: string | null = 'Admin'): Promise<void> {
  const r = await stack.admin(['user', 'create', userid, ...(role ? ['--role', role] : []), '--password-stdin'], `${password}\n`);
  if (r.code !== 0) throw new Error(`steward-admin user create ${userid} failed: ${r.stderr}${r.stdout}`);
}

/** Fills in the login form; does not wait for the result. */
export async function submitLogin(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

export async function login(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/');
  await submitLogin(page, username, password);
  await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
}

/**
 * API calls a script would make, from a logged-in page with its session's CSRF token (inline:
 * evaluate ships the function's source); each must succeed.
 */
export async function apiCalls(page: Page, calls: readonly (readonly [method: string, url: string, body: unknown])[]): Promise<void> {
  for (const [method, url, body] of calls) {
    const status = await page.evaluate(async ([m, u, b]) => (await fetch(u, {
      method: m, body: JSON.stringify(b),
      headers: { 'Content-Type': 'application/json', CSRFPreventionToken: (JSON.parse(sessionStorage.getItem('steward.session') ?? '{}') as { csrf?: string }).csrf ?? '' },
    })).status, [method, url, body] as const);
    if (status >= 300) throw new Error(`${method} ${url}: ${status}`);
  }
}

/** A new page of the suite's browser, logged in as `user`. */
export async function loggedInPage(suite: Suite, user: string, password: string, opts?: Parameters<typeof openPage>[2]): Promise<TestPage> {
  const tp = await openPage(suite.browser, suite.stack, opts);
  await login(tp.page, user, password);
  return tp;
}

export async function logout(page: Page): Promise<void> {
  await page.getByRole('button', { name: /root@|@steward|@pam/ }).first().click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await page.getByLabel('User name').waitFor();
}

export interface Suite {
  stack: Stack;
  browser: Browser;
  /** Settles when the stack, the browser and the users are there (for other `before` hooks to await). */
  started: Promise<void>;
}

/**
 * One stack and one browser per test file, started in `before` and stopped in `after`, with
 * the given users (id → [password, role]) created with steward-admin; with `demo`, also the
 * simulator's demo scenario added as remotes the way `make demo` does (needs admin@steward).
 */
export function useSuite(
  users: Record<string, [string, (string | null)?]>,
  hooks: { before: typeof beforeHook; after: typeof afterHook },
  opts: { demo?: boolean; stack?: () => Promise<StackOptions> } = {},
): Suite {
  const suite = {} as Suite;
  let stopDemo: (() => Promise<void>) | undefined;
  let done!: () => void;
  let failed!: (err: unknown) => void;
  suite.started = new Promise<void>((res, rej) => { done = res; failed = rej; });
  // Top-level hooks start at once and side by side (node:test); others await `started`.
  suite.started.catch(() => undefined);
  const setUp = async () => {
    // A short failed-login delay keeps the suite fast; the delay itself is the access tests' subject.
    const stackOpts = (await opts.stack?.()) ?? {};
    [suite.stack, suite.browser] = await Promise.all([
      startStack({ ...stackOpts, extraConfig: { LOGIN_FAILURE_DELAY_MS: '200', ...stackOpts.extraConfig } }),
      launchBrowser(),
    ]);
    for (const [id, [password, role]] of Object.entries(users)) await createUser(suite.stack, id, password, role);
    if (opts.demo) {
      const admin = users['admin@steward'];
      if (!admin) throw new Error('the demo remotes are added by admin@steward: include that user');
      const { setupDemoRemotes } = await import('../demo-remotes.ts');
      stopDemo = await setupDemoRemotes(suite.stack, admin[0]);
    }
  };
  hooks.before(async () => {
    try {
      await setUp();
      done();
    } catch (err) {
      failed(err);
      throw err;
    }
  });

  hooks.after(async () => {
    await stopDemo?.();
    await suite.browser?.close();
    await suite.stack?.stop();
  });
  return suite;
}

