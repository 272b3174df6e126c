import type { Locator, Page } from 'playwright-core';
import { nextApiAnswer } from './in-page.js';

// What the tests do in the operator console, by accessible names and the data-testid hooks
// packages/web-ui/README.md lists. Playwright's locators wait for each state.

/** Opens a console session link and waits for the console's frame. */
export async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('console-app').waitFor();
}

/** One of the console's sections by its name in the main navigation. */
export async function go(page: Page, section: 'Tenants' | 'Dead letters' | 'Endpoints' | 'Consumer lag' | 'Delivery rate'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: section, exact: true }).click();
}

export function tenantRow(page: Page, tenantId: string): Locator {
  return page.locator(`[data-testid="tenant-row"][data-tenant-id="${tenantId}"]`);
}

export function deadLetterRow(page: Page, deliveryId: string): Locator {
  return page.locator(`[data-testid="dead-letter-row"][data-delivery-id="${deliveryId}"]`);
}

/** Opens a dead letter's detail (its payload and attempts) from its row. */
export async function inspect(page: Page, row: Locator): Promise<Locator> {
  await row.getByRole('button', { name: /^Inspect dead letter/ }).click();
  const dialog = page.getByTestId('dead-letter-detail');
  await dialog.getByRole('heading', { name: 'Dead letter' }).waitFor();
  return dialog;
}

/** Replays one dead letter from its row; resolves with the API's answer. */
export async function replay(page: Page, row: Locator): Promise<{ status: number; body: unknown }> {
  const replayed = nextApiAnswer(page, 'POST', /^\/v1\/admin\/dead-letters\/[^/]+\/replay$/);
  await row.getByRole('button', { name: /^Replay dead letter/ }).click();
  const answer = await replayed;
  await page.getByTestId('dead-letter-replayed').waitFor();
  return { status: answer.status(), body: await answer.json() };
}
