import type { Locator, Page } from 'playwright-core';
import { nextApiAnswer } from './in-page.js';

// What the tests do in the partner portal, in the words of the page: accessible names and the
// data-testid hooks packages/web-ui/README.md lists. Playwright's locators wait for each state.

/** Opens a session link and waits for the portal's endpoint list. */
export async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('endpoints-list').waitFor();
}

/** The page a refused link (expired, already used, forged) shows instead of the portal. */
export async function expectLinkRefused(page: Page): Promise<void> {
  await page
    .getByTestId('session-refused')
    .getByRole('heading', { name: /can no longer be used/i })
    .waitFor();
  expect(await page.getByTestId('endpoints-list').count()).toBe(0);
}

export function endpointRow(page: Page, url: string): Locator {
  return page.getByTestId('endpoint-row').filter({ has: page.getByRole('link', { name: url, exact: true }) });
}

export async function expectEndpointListed(page: Page, url: string): Promise<void> {
  await endpointRow(page, url).waitFor();
}

/** Fills "Add endpoint" with a URL and event types of one channel; resolves with the id the API answered. */
export async function createEndpoint(page: Page, spec: { url: string; channel: 'email' | 'in-app'; types: string[] }): Promise<string> {
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const form = page.getByTestId('endpoint-form');
  await form.getByLabel('Endpoint URL').fill(spec.url);
  const channel = form.getByRole('group', { name: spec.channel === 'email' ? 'Email channel' : 'In-app channel' });
  // Named "<type>" or "<type> (<channel>)": the type first either way.
  for (const type of spec.types) await channel.getByRole('checkbox', { name: new RegExp(`^${type}(\\s|$)`) }).check();
  const created = nextApiAnswer(page, 'POST', '/v1/webhooks');
  await form.getByRole('button', { name: 'Create endpoint' }).click();
  const answer = await created;
  expect(answer.status()).toBe(201);
  const { id } = (await answer.json()) as { id: string };
  await page.locator(`[data-testid="endpoint-detail"][data-endpoint-id="${id}"]`).waitFor();
  return id;
}

/** From anywhere in the portal: the endpoint's own page (settings, chart, tools, delivery log). */
export async function openEndpoint(page: Page, url: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Endpoints' }).click();
  await endpointRow(page, url).getByRole('link', { name: url, exact: true }).click();
  await page.getByTestId('endpoint-detail').waitFor();
}

/** From an endpoint's page: sends a test event of the type; resolves with its event id. */
export async function sendTestEvent(page: Page, type: string): Promise<string> {
  const form = page.getByTestId('test-event-form');
  await form.getByLabel('Event type').selectOption(type);
  const sent = nextApiAnswer(page, 'POST', /^\/v1\/webhooks\/[^/]+\/test-events$/);
  await form.getByRole('button', { name: 'Send test event' }).click();
  const answer = await sent;
  expect(answer.status()).toBe(202);
  await page.getByTestId('test-event-sent').waitFor();
  return ((await answer.json()) as { event_id: string }).event_id;
}

/** Chooses a status in the delivery log's filters and waits for the filtered list. */
export async function filterByStatus(page: Page, status: string): Promise<void> {
  const filters = page.getByTestId('delivery-log').getByRole('search', { name: 'Filter deliveries' });
  const listed = page.waitForResponse(
    (r) => /^\/v1\/webhooks\/[^/]+\/deliveries$/.test(new URL(r.url()).pathname) && new URL(r.url()).searchParams.get('status') === status,
  );
  await filters.getByLabel('Status').selectOption(status);
  await listed;
}

/** The log's row of one delivery (or the newest of an event type). */
export function deliveryRow(page: Page, which: { id?: string; eventType?: string }): Locator {
  const log = page.getByTestId('delivery-log');
  if (which.id) return log.locator(`[data-testid="delivery-row"][data-delivery-id="${which.id}"]`);
  return log.locator(`[data-testid="delivery-row"][data-event-type="${which.eventType}"]`).first();
}

/** Waits until the row shows the status (the log refreshes itself every few seconds while "Live" is on). */
export async function expectRowStatus(row: Locator, status: string): Promise<void> {
  await row.and(row.page().locator(`[data-status="${status}"]`)).waitFor();
}

/** Opens a delivery's detail from its row: the dialog with every attempt. */
export async function openDetail(page: Page, row: Locator): Promise<Locator> {
  await row.getByRole('button', { name: /^Details of delivery/ }).click();
  const dialog = page.getByTestId('delivery-detail');
  await dialog.getByTestId('attempt').first().waitFor();
  return dialog;
}

/** An attempt in the open detail with that HTTP status. */
export function attemptWithStatus(detail: Locator, code: number): Locator {
  return detail.locator(`[data-testid="attempt"][data-status-code="${code}"]`).first();
}

export async function closeDetail(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.getByTestId('delivery-detail').waitFor({ state: 'hidden' });
}

export async function retryFromRow(row: Locator): Promise<void> {
  await row.getByRole('button', { name: /^Retry delivery/ }).click();
}

/** Reveals the HMAC signing secret on the endpoint's page; resolves with what it shows. */
export async function revealSecret(page: Page): Promise<string> {
  const panel = page.getByTestId('signing-secret');
  await panel.getByRole('button', { name: 'Reveal secret' }).click();
  return (await panel.getByTestId('signing-secret-value').textContent())!.trim();
}

/** Rotates the signing secret with a grace period chosen in the dialog (its option label, e.g. "1 hour"). */
export async function rotateSecret(page: Page, grace: string): Promise<void> {
  await page
    .getByTestId('signing-secret')
    .getByRole('button', { name: /^Rotate/ })
    .click();
  const dialog = page.getByTestId('rotate-dialog');
  await dialog.getByLabel('Grace period').selectOption({ label: grace });
  const rotated = nextApiAnswer(page, 'POST', /^\/v1\/webhooks\/[^/]+\/signing-secret\/rotate$/);
  await dialog.getByRole('button', { name: 'Rotate now' }).click();
  expect((await rotated).status()).toBe(200);
  await page.getByTestId('signing-secret-rotated').waitFor();
}

export async function expectChart(page: Page): Promise<void> {
  await page.getByTestId('endpoint-stats').getByRole('img').first().waitFor();
}

export async function openCatalogue(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Event catalogue' }).click();
  await page.locator('[data-testid="event-type"][data-event-type="user-mentioned"]').waitFor();
}
