#!/usr/bin/env node
// npm run demo (with `npm start` running): a demo tenant, a bundled receiver that
// prints what it gets and verifies the token / signature / OAuth2 bearer, one webhook
// per auth type plus a content and a system webhook, then one event of each of the
// nine notification types, a content event and a system event; ends with a partner portal link.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NOTIFICATION_TYPES, fixtures } from '@hookstream/schemas';
import { GatewayClient, startReceiver, startTokenEndpoint } from '@hookstream/test-kit';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const gatewayUrl = process.env.HOOKSTREAM_GATEWAY_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8080}`;
const localEnv = path.join(root, '.run', 'local.env');
const adminToken =
  process.env.HOOKSTREAM_ADMIN_TOKEN ?? (fs.existsSync(localEnv) ? /HOOKSTREAM_ADMIN_TOKEN=(.*)/.exec(fs.readFileSync(localEnv, 'utf8'))?.[1] : undefined);
const say = (m) => console.log(m);

if (!adminToken) {
  console.error('demo: no admin token: start the system with `npm start` first, or set HOOKSTREAM_ADMIN_TOKEN');
  process.exit(1);
}
try {
  await fetch(`${gatewayUrl}/healthz`);
} catch {
  console.error(`demo: the gateway does not answer at ${gatewayUrl}: start the system with \`npm start\` first`);
  process.exit(1);
}

const receiver = await startReceiver({ port: Number(process.env.DEMO_RECEIVER_PORT ?? 0) });
const jwtClient = { clientId: 'demo-partner', clientSecret: randomBytes(24).toString('base64url'), audience: 'https://auth.demo-partner.example' };
const tokenEndpoint = await startTokenEndpoint({ ...jwtClient, requireFields: { scope: 'notifications:write' } });
const partnerToken = `tok_${randomBytes(18).toString('base64url')}`;
const signingSecret = `whsec_${randomBytes(24).toString('base64')}`;
const place = 'https://sample.jiveon.com/api/core/v3/places/1020';

receiver.behave('/token', { token: { header: 'x-openweb-notification-event-webhook-token', value: partnerToken }, signingSecret });
receiver.behave('/oauth', { bearer: (t) => tokenEndpoint.isValid(t) });

const admin = new GatewayClient(gatewayUrl, adminToken);
const tenant = await admin.createTenant(`demo-${new Date().toISOString().slice(0, 19)}`);
const api = admin.withToken(tenant.api_key);
say(`tenant ${tenant.id} created; receiver on ${receiver.url}; token endpoint ${tokenEndpoint.url}`);

// The system webhook first, so it hears about the webhooks created after it.
const system = await api.createWebhook({ events: 'webhook,user_account', callback: `${receiver.url}/system` });
await api.putSecret('demo-partner-token', partnerToken);
const byToken = await api.createWebhook({
  enabled: true,
  endpoint: `${receiver.url}/token`,
  auth_type: 'partner_secret_token',
  auth_config: { secret_name: 'demo-partner-token' },
  signing_secret: signingSecret,
  retry_base: 2,
  retry_max_count: 5,
  registered_events: { email: [...NOTIFICATION_TYPES], 'in-app': [] },
});
const byJwt = await api.createWebhook({
  enabled: true,
  endpoint: `${receiver.url}/oauth`,
  auth_type: 'client_secret_jwt',
  auth_config: {
    client_id: jwtClient.clientId,
    client_secret: jwtClient.clientSecret,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    audience: jwtClient.audience,
    token_uri: tokenEndpoint.url,
    grant_type: 'client_credentials',
    extra_grants: { scope: 'notifications:write', realm: 'demo' },
  },
  retry_base: 2,
  retry_max_count: 5,
  registered_events: { email: [], 'in-app': [...NOTIFICATION_TYPES] },
});
const content = await api.createWebhook({ events: 'document', callback: `${receiver.url}/content`, object: place });
say(`webhooks: system ${system.id}, token+signature ${byToken.id}, client_secret_jwt ${byJwt.id}, content ${content.id}`);

const labels = { '/token': 'token + signature', '/oauth': 'OAuth2 client_secret_jwt', '/content': 'content webhook', '/system': 'system webhook' };
// Content and system webhooks batch by default (the Jive seed's payload_size 100): a call's body
// is then an array of activities, one delivery each.
const bodiesOf = (r) => (Array.isArray(r.body) ? r.body : [r.body]);
const deliveredCount = () => receiver.requests.filter((r) => r.status < 300).reduce((n, r) => n + bodiesOf(r).length, 0);
let shown = 0;
const show = () => {
  for (; shown < receiver.requests.length; shown++) {
    const r = receiver.requests[shown];
    const items = bodiesOf(r);
    const b = items[0];
    const what = items.map((i) => i?.type ?? i?.verb ?? '?').join(', ') + (Array.isArray(r.body) ? ` (a batch of ${items.length})` : '');
    const channels = Array.isArray(b?.channels) ? ` channels=${b.channels.join(',')}` : '';
    const check = r.verified === undefined ? '' : r.verified ? ' verified ✓' : ' NOT VERIFIED ✗';
    say(`  <- ${labels[r.path] ?? r.path}: ${what}${channels} webhook-id=${r.webhookId}${check}`);
  }
};
const ticker = setInterval(show, 100);

for (const type of NOTIFICATION_TYPES) {
  await api.publish(fixtures.envelope(type, undefined, { id: randomUUID(), tenantid: tenant.id }));
  say(`-> published ${type}`);
}
await api.publish(fixtures.envelope('jive:created', undefined, { id: randomUUID(), tenantid: tenant.id, subject: place }));
say('-> published jive:created (a document in place 1020)');
await api.publish(fixtures.envelope('jive:user_account_created', undefined, { id: randomUUID(), tenantid: tenant.id }));
say('-> published jive:user_account_created');

// Token webhook: the types whose event lists the email channel; OAuth2 webhook: in-app.
// Plus the content event, user_account_created and the webhook_created events of the three
// webhooks created after the system webhook. Its own webhook_created arrives only when the matcher
// has loaded the new webhook before it matches that event (a race by design): not counted as due.
const channelsOf = (type) => fixtures.eventData(type).channels ?? [];
const expected =
  NOTIFICATION_TYPES.filter((t) => channelsOf(t).includes('email')).length +
  NOTIFICATION_TYPES.filter((t) => channelsOf(t).includes('in-app')).length +
  1 +
  1 +
  3;
const deadline = Date.now() + 30_000;
let allDueAt;
while (deliveredCount() < expected + 1 && Date.now() < deadline && (allDueAt === undefined || Date.now() - allDueAt < 3000)) {
  if (allDueAt === undefined && deliveredCount() >= expected) allDueAt = Date.now();
  await new Promise((r) => setTimeout(r, 100));
}
show();
clearInterval(ticker);
const ok = deliveredCount();
const own = ok > expected ? ", and the system webhook's own webhook_created" : '';
say(`\n${Math.min(ok, expected)} of ${expected} deliveries arrived${own}; token endpoint issued ${tokenEndpoint.issued.length} access token(s).`);
say(`history: curl -H "authorization: Bearer ${tenant.api_key.slice(0, 6)}…" ${gatewayUrl}/v1/webhooks/${byToken.id}/deliveries`);
// Last, the partner's view of the same deliveries: a portal session over the two notification
// webhooks. The link's token works once, within 10 minutes; the session it opens lasts a day.
const portal = await api.request('POST', '/v1/portal/sessions', {
  partner: 'Demo partner',
  webhook_ids: [byToken.id, byJwt.id],
  expires_in_s: 86_400,
});
if (portal.status === 201) say(`\npartner portal for tenant ${tenant.id} (open within 10 minutes, works once):\n${portal.body.url}`);
else say(`\nno portal link: POST /v1/portal/sessions answered ${portal.status} ${JSON.stringify(portal.body)}`);
await receiver.close();
await tokenEndpoint.close();
process.exit(ok >= expected ? 0 : 1);
