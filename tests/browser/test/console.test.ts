import { randomBytes } from 'node:crypto';
import { freshEvent, waitFor } from '@hookstream/test-kit';
import * as console_ from './support/console-ui.js';
import { screenshot } from './support/screenshots.js';
import { startUiSystem, type Tenant, type UiSystem } from './support/ui-system.js';

describe('the operator console in Chromium, against the whole system', () => {
  let ui: UiSystem;
  let acme: Tenant;

  beforeAll(async () => {
    ui = await startUiSystem();
    acme = await ui.newTenant('Acme Retail');
  });
  afterAll(async () => {
    await ui?.stop();
  });

  interface DeadLetter {
    delivery_id: string;
    webhook_id: string;
    event_type: string;
  }

  it('an operator replays a dead letter from the console and sees it delivered', async () => {
    ui.receiver.behave('/warehouse', { status: 503 });
    const wh = await acme.api.createWebhook({
      enabled: true,
      endpoint: `${ui.receiver.url}/warehouse`,
      auth_type: 'partner_secret_token',
      auth_config: { token: `tok-warehouse-${randomBytes(8).toString('hex')}` },
      retry_base: 1,
      retry_max_count: 1,
      registered_events: { email: ['user-mentioned'], 'in-app': [] },
    });
    await acme.api.publish(freshEvent('user-mentioned', acme.id));
    // Two attempts (retry_max_count 1), then the dead-letter topic and its index.
    const letter = await waitFor(
      async () => {
        const r = await ui.system.admin.request<{ data: DeadLetter[] }>('GET', `/v1/admin/dead-letters?webhook_id=${wh.id}`);
        return r.body.data?.[0];
      },
      { timeoutMs: 60_000, what: 'the dead letter of /warehouse' },
    );

    const { page } = await ui.newPage();
    await console_.open(page, (await ui.consoleSession()).url);
    expect(page.url()).not.toContain('token=');
    await console_.go(page, 'Dead letters');
    const row = console_.deadLetterRow(page, letter.delivery_id);
    await row.waitFor();
    // Inspect: the two failed attempts (503) that exhausted the retries.
    const detail = await console_.inspect(page, row);
    await detail.getByText('503').first().waitFor();
    await screenshot(page, 'console-dead-letter-detail');
    await page.keyboard.press('Escape');
    await screenshot(page, 'console-dead-letters');

    ui.receiver.behave('/warehouse', { status: 200 });
    const answer = await console_.replay(page, row);
    expect(answer.status).toBe(202);
    await ui.receiver.waitForRequests(3, { path: '/warehouse', timeoutMs: 60_000 });
    expect(ui.receiver.at('/warehouse').map((r) => r.status)).toEqual([503, 503, 200]);
    // Delivered, as the tenant's own history says (the replay is a new cycle)...
    await waitFor(
      async () => {
        const d = await acme.api.request<{ status: string }>('GET', `/v1/deliveries/${letter.delivery_id}`);
        return d.body.status === 'delivered';
      },
      { timeoutMs: 30_000, what: 'the replayed delivery to be recorded as delivered' },
    );
    // ...and the console, reloaded (the session cookie survives), has no dead letter left.
    await page.reload();
    await page.getByTestId('dead-letters-empty').waitFor();
    expect(await row.count()).toBe(0);
  });

  it('an operator disables a tenant from its page and enables it again: its API key answers 401, then works again (docs/images)', async () => {
    const globex = await ui.newTenant('Globex');
    const secrets = async () => (await globex.api.request('GET', '/v1/secrets')).status;
    expect(await secrets()).toBe(200);
    const { page } = await ui.newPage();
    await console_.open(page, (await ui.consoleSession()).url);
    await console_.go(page, 'Tenants');
    await console_.tenantRow(page, globex.id).getByRole('link').click();
    const status = page.getByTestId('tenant-status');
    await status.getByText('active').waitFor();

    await page.getByTestId('tenant-disable').click();
    await page.getByRole('dialog', { name: 'Disable this tenant?' }).getByRole('button', { name: 'Disable tenant' }).click();
    await status.getByText(/^disabled/).waitFor();
    await waitFor(async () => (await secrets()) === 401, { timeoutMs: 5_000, what: 'the disabled tenant key refused' });
    expect(await page.getByTestId('api-key-create').isDisabled()).toBe(true);
    await screenshot(page, 'console-tenant-disabled');

    await page.getByTestId('tenant-enable').click();
    await status.getByText('active').waitFor();
    await page.getByTestId('tenant-disable').waitFor();
    expect(await page.getByTestId('api-key-create').isDisabled()).toBe(false);
    await waitFor(async () => (await secrets()) === 200, { timeoutMs: 5_000, what: 'the enabled tenant key accepted again' });
    // The list says so too.
    await console_.go(page, 'Tenants');
    await console_.tenantRow(page, globex.id).getByText('active').waitFor();
  });

  it('shows consumer lag per group and partition (docs/images)', async () => {
    const { page } = await ui.newPage();
    await console_.open(page, (await ui.consoleSession()).url);
    await console_.go(page, 'Consumer lag');
    await page.getByTestId('consumer-lag-view').getByTestId('lag-row').first().waitFor();
    await screenshot(page, 'console-consumer-lag');
  });
});
