import { randomBytes } from 'node:crypto';
import { freshEvent, waitFor } from '@hookstream/test-kit';
import { Webhook } from 'standardwebhooks';
import { nextApiAnswer, pageGet } from './support/in-page.js';
import * as portal from './support/portal-ui.js';
import { screenshot } from './support/screenshots.js';
import { resignedToken, tokenOf } from './support/session-token.js';
import { startUiSystem, type Tenant, type UiSystem } from './support/ui-system.js';

// Fixed names so the screenshots read the same on every run.
const PARTNER = 'Northwind Logistics';

describe('the partner portal in Chromium, against the whole system', () => {
  let ui: UiSystem;
  let acme: Tenant;

  beforeAll(async () => {
    ui = await startUiSystem();
    acme = await ui.newTenant('Acme Retail');
  });
  afterAll(async () => {
    await ui?.stop();
  });

  /** A webhook the tenant registers with its API key, pointed at the receiver's path. */
  const apiWebhook = (path: string, registered: string[], extra: Record<string, unknown> = {}) =>
    acme.api.createWebhook({
      enabled: true,
      endpoint: `${ui.receiver.url}${path}`,
      auth_type: 'partner_secret_token',
      auth_config: { token: `tok-${path.slice(1)}-${randomBytes(8).toString('hex')}` },
      retry_base: 1,
      retry_max_count: 1,
      registered_events: { email: registered, 'in-app': [] },
      ...extra,
    });

  it('a partner opens a session link, creates an endpoint, sends a test event and sees it delivered', async () => {
    const link = await ui.portalSession(acme, { partner: PARTNER });
    expect(link.url).toMatch(new RegExp(`^${ui.publicUrl}/portal/#token=`));
    const { page } = await ui.newPage();
    await portal.open(page, link.url);
    // The single-use token left the address bar (and the history) once exchanged.
    expect(page.url()).not.toContain('token=');

    const createdId = await portal.createEndpoint(page, { url: `${ui.receiver.url}/orders`, channel: 'email', types: ['user-mentioned', 'liked-message'] });
    const created = await acme.api.expect<{ endpoint: string; registered_events: Record<string, string[]> }>(200, 'GET', `/v1/webhooks/${createdId}`);
    expect(created.endpoint).toBe(`${ui.receiver.url}/orders`);
    expect(created.registered_events.email).toEqual(expect.arrayContaining(['user-mentioned', 'liked-message']));

    const eventId = await portal.sendTestEvent(page, 'user-mentioned');
    const [got] = await ui.receiver.waitForRequests(1, { path: '/orders', timeoutMs: 60_000 });
    expect(got!.status).toBe(200);
    // The receiver's call is the test event's delivery (webhook-id is the delivery id), as the
    // history says once the worker has recorded it.
    const recorded = await waitFor(
      async () => {
        const r = await acme.api.expect<{ list: { id: string; event_id: string; event_type: string; status: string }[] }>(
          200,
          'GET',
          `/v1/webhooks/${createdId}/deliveries`,
        );
        return r.list.find((d) => d.status === 'delivered');
      },
      { timeoutMs: 30_000, what: 'the test event delivery in the history' },
    );
    expect(recorded).toMatchObject({ id: got!.webhookId, event_id: eventId, event_type: 'user-mentioned' });

    // The log shows it delivered (it refreshes itself), and its detail the attempt's 200.
    const row = portal.deliveryRow(page, { eventType: 'user-mentioned' });
    await portal.expectRowStatus(row, 'delivered');
    const detail = await portal.openDetail(page, row);
    await portal.attemptWithStatus(detail, 200).waitFor();

    // The endpoint carries the partner's label: a later session of the same partner sees it.
    const later = await ui.newPage();
    await portal.open(later.page, (await ui.portalSession(acme, { partner: PARTNER })).url);
    await portal.expectEndpointListed(later.page, `${ui.receiver.url}/orders`);
  });

  it("a failing endpoint's delivery is retried from the log once the receiver recovers", async () => {
    ui.receiver.behave('/billing', { status: 503 });
    const wh = await apiWebhook('/billing', ['liked-message']);
    await acme.api.publish(freshEvent('liked-message', acme.id));
    // retry_max_count 1: two attempts, then the delivery ends discarded.
    const discarded = await waitFor(
      async () => {
        const r = await acme.api.request<{ list: { id: string; status: string }[] }>('GET', `/v1/webhooks/${wh.id}/deliveries?status=discarded`);
        return r.body.list?.[0];
      },
      { timeoutMs: 60_000, what: 'the delivery to /billing to be discarded' },
    );
    expect(ui.receiver.at('/billing').map((r) => r.status)).toEqual([503, 503]);

    const { page } = await ui.newPage();
    await portal.open(page, (await ui.portalSession(acme, { partner: PARTNER, webhook_ids: [wh.id] })).url);
    await portal.openEndpoint(page, `${ui.receiver.url}/billing`);
    await portal.filterByStatus(page, 'discarded');
    const row = portal.deliveryRow(page, { id: discarded.id });
    await portal.expectRowStatus(row, 'discarded');

    ui.receiver.behave('/billing', { status: 200 });
    const retried = nextApiAnswer(page, 'POST', `/v1/deliveries/${discarded.id}/retry`);
    await portal.retryFromRow(row);
    expect((await retried).status()).toBe(202);
    await ui.receiver.waitForRequests(3, { path: '/billing', timeoutMs: 60_000 });
    expect(ui.receiver.at('/billing').map((r) => r.status)).toEqual([503, 503, 200]);

    // The log says so too: delivered, the detail listing the two failures and the 200 of the retry.
    await portal.filterByStatus(page, 'delivered');
    await portal.expectRowStatus(row, 'delivered');
    const detail = await portal.openDetail(page, row);
    await portal.attemptWithStatus(detail, 200).waitFor();
    expect(await detail.locator('[data-testid="attempt"][data-status-code="503"]').count()).toBe(2);
  });

  it('rotating the signing secret in the portal: the next delivery carries both signatures', async () => {
    const wh = await apiWebhook('/signed', ['user-followed'], { signing: true });
    const oldSecret = wh.signing_secret as string;
    expect(oldSecret).toMatch(/^whsec_/);

    const { page } = await ui.newPage();
    await portal.open(page, (await ui.portalSession(acme, { partner: PARTNER, webhook_ids: [wh.id] })).url);
    await portal.openEndpoint(page, `${ui.receiver.url}/signed`);
    // Revealed only on request: the secret the tenant was given.
    expect(await portal.revealSecret(page)).toBe(oldSecret);
    await portal.rotateSecret(page, '1 hour');
    const newSecret = await portal.revealSecret(page);
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);

    const e = freshEvent('user-followed', acme.id);
    await acme.api.publish(e);
    const [got] = await ui.receiver.waitForRequests(1, { path: '/signed', timeoutMs: 60_000 });
    const headers = {
      'webhook-id': String(got!.headers['webhook-id']),
      'webhook-timestamp': String(got!.headers['webhook-timestamp']),
      'webhook-signature': String(got!.headers['webhook-signature']),
    };
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    // Receivers still holding the old secret and those already on the new one both accept it.
    expect(new Webhook(oldSecret).verify(got!.raw, headers)).toMatchObject({ event_id: e.id });
    expect(new Webhook(newSecret).verify(got!.raw, headers)).toMatchObject({ event_id: e.id });
    const stranger = `whsec_${randomBytes(32).toString('base64')}`;
    expect(() => new Webhook(stranger).verify(got!.raw, headers)).toThrow();
  });

  it("a session for tenant A cannot read tenant B's endpoints, and an expired or reused link is refused", async () => {
    const globex = await ui.newTenant('Globex');
    const theirs = await globex.api.createWebhook({
      enabled: true,
      endpoint: `${ui.receiver.url}/globex`,
      auth_type: 'partner_secret_token',
      auth_config: { token: 'tok-globex-0123456789' },
      retry_base: 1,
      retry_max_count: 1,
      registered_events: { email: ['user-mentioned'], 'in-app': [] },
    });
    const shared = await apiWebhook('/shared', ['user-mentioned']);
    const unshared = await apiWebhook('/unshared', ['user-mentioned']);
    const link = await ui.portalSession(acme, { partner: PARTNER, webhook_ids: [shared.id] });
    const { page } = await ui.newPage();
    await portal.open(page, link.url);
    await portal.expectEndpointListed(page, `${ui.receiver.url}/shared`);

    // From within the page, with its session cookie, exactly as the UI asks: another tenant's
    // endpoint is not found, like one of the same tenant that the session was not given.
    expect(await pageGet(page, `/v1/webhooks/${shared.id}`)).toMatchObject({ status: 200, body: { id: shared.id } });
    for (const id of [theirs.id, unshared.id]) {
      expect(await pageGet(page, `/v1/webhooks/${id}`)).toMatchObject({ status: 404 });
      expect(await pageGet(page, `/v1/webhooks/${id}/deliveries`)).toMatchObject({ status: 404 });
    }
    const list = await pageGet(page, '/v1/webhooks');
    expect(list.status).toBe(200);
    const ids = (list.body as { list: { id: string }[] }).list.map((w) => w.id);
    expect(ids).toContain(shared.id);
    expect(ids).not.toContain(theirs.id);
    expect(ids).not.toContain(unshared.id);

    // The same link a second time (another browser, no cookie): the exchange refuses it.
    const second = await ui.newPage();
    const reused = nextApiAnswer(second.page, 'POST', '/v1/sessions/exchange');
    await second.page.goto(link.url);
    const reusedAnswer = await reused;
    expect(reusedAnswer.status()).toBe(401);
    const reusedBody = await reusedAnswer.text();
    expect(JSON.parse(reusedBody)).toMatchObject({ error: 'session_token_invalid' });
    expect(reusedBody).not.toContain(tokenOf(link.url));
    await portal.expectLinkRefused(second.page);

    // An expired link: the gateway's own token, re-signed with its key and an exp in the past.
    // The same re-signing with a valid exp is accepted, so the refusal is the expiry's.
    const fresh = tokenOf((await ui.portalSession(acme, { partner: PARTNER })).url);
    const now = Math.floor(Date.now() / 1000);
    const valid = await resignedToken(fresh, ui.portalKey, () => undefined);
    const control = await fetch(`${ui.publicUrl}/v1/sessions/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: valid }),
    });
    expect(control.status).toBe(200);
    const expired = await resignedToken(fresh, ui.portalKey, (c) => {
      c.iat = now - 1200;
      if (c.nbf !== undefined) c.nbf = now - 1200;
      c.exp = now - 600;
    });
    const third = await ui.newPage();
    const refused = nextApiAnswer(third.page, 'POST', '/v1/sessions/exchange');
    await third.page.goto(`${ui.publicUrl}/portal/#token=${expired}`);
    const refusedAnswer = await refused;
    expect(refusedAnswer.status()).toBe(401);
    expect(await refusedAnswer.json()).toMatchObject({ error: 'session_token_invalid' });
    await portal.expectLinkRefused(third.page);
    // Without a session the API itself answers 401 to the page.
    expect(await pageGet(third.page, '/v1/webhooks')).toMatchObject({ status: 401 });
  });

  it('screenshots of the main views (docs/images)', async () => {
    // An endpoint with some history: the first two calls fail, each then succeeds on its retry.
    ui.receiver.behave('/inventory', { failTimes: 2, failStatus: 500 });
    const wh = await apiWebhook('/inventory', ['user-mentioned', 'liked-message', 'user-followed'], {
      retry_max_count: 3,
      signing: true,
      description: 'Stock updates',
    });
    const types = ['user-mentioned', 'liked-message', 'user-followed', 'user-mentioned', 'liked-message', 'user-mentioned'];
    for (const type of types) await acme.api.publish(freshEvent(type, acme.id));
    await ui.receiver.waitForUnique(types.length, { path: '/inventory', timeoutMs: 60_000 });
    // Every attempt recorded (six deliveries, two of them retried) before the chart is drawn.
    await waitFor(async () => (await acme.api.expect<{ attempts: number }>(200, 'GET', `/v1/webhooks/${wh.id}/stats?hours=24`)).attempts === types.length + 2, {
      timeoutMs: 30_000,
      what: 'the eight attempts to /inventory in the stats',
    });

    const { page } = await ui.newPage();
    await portal.open(page, (await ui.portalSession(acme, { partner: PARTNER, webhook_ids: [wh.id] })).url);
    await portal.expectEndpointListed(page, `${ui.receiver.url}/inventory`);
    await screenshot(page, 'portal-endpoints');

    await portal.openEndpoint(page, `${ui.receiver.url}/inventory`);
    await portal.expectChart(page);
    await page
      .locator('[data-testid="delivery-row"][data-status="delivered"]')
      .nth(types.length - 1)
      .waitFor();
    await screenshot(page, 'portal-endpoint-detail', { fullPage: true });

    // A delivery whose first call failed (webhook-id is the delivery id): a 500, then the retry's 200.
    const failed = ui.receiver.at('/inventory').find((r) => r.status === 500)!.webhookId!;
    const detail = await portal.openDetail(page, portal.deliveryRow(page, { id: failed }));
    await portal.attemptWithStatus(detail, 500).waitFor();
    await portal.attemptWithStatus(detail, 200).locator('summary', { hasText: 'Request headers' }).click();
    await screenshot(page, 'portal-delivery-log');
    await portal.closeDetail(page);

    await portal.openCatalogue(page);
    const first = page.getByTestId('event-type').first();
    await first.locator('summary', { hasText: 'Example payload' }).click();
    await first.locator('summary', { hasText: 'JSON Schema' }).click();
    await screenshot(page, 'portal-event-catalogue');

    const narrow = await ui.newPage({ width: 375, height: 812 });
    await portal.open(narrow.page, (await ui.portalSession(acme, { partner: PARTNER, webhook_ids: [wh.id] })).url);
    await portal.openEndpoint(narrow.page, `${ui.receiver.url}/inventory`);
    await portal.expectChart(narrow.page);
    // Readable at 375 px: nothing wider than the screen.
    expect(await narrow.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(narrow.page, 'portal-endpoint-375');
  });
});
