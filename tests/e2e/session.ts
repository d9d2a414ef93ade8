// Logged-in browser sessions for the e2e suite: users made with steward-admin (as the demo
// does), the login form filled in like a person would.
import type { Page } from 'playwright-core';
import { request } from '../harness/https.ts';
import type { Stack } from '../harness/stack.ts';

/** Whether the API on this stack has the login route yet (access control is its own issue). */
export async function hasLogin(stack: Stack): Promise<boolean> {
  const doc = (await request(`${stack.url}/api2/openapi.json`)).json<{ paths: Record<string, unknown> }>();
  return Object.keys(doc.paths).some((p) => p.endsWith('/access/ticket'));
}

export async function createUser(stack: Stack, userid: string, password: string, role = 'Admin'): Promise<void> {
  const r = await stack.admin(['user', 'create', userid, '--role', role, '--password-stdin'], `${password}\n`);
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
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

export async function logout(page: Page): Promise<void> {
  await page.getByRole('button', { name: /root@|@steward|@pam/ }).first().click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await page.getByLabel('User name').waitFor();
}
