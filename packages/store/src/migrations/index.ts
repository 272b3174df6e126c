import type { Migration } from '../migrate.js';
import { core } from './0001-core.js';
import { gateway } from './0002-gateway.js';
import { matcher } from './0003-matcher.js';
import { deliveryWorker } from './0004-delivery-worker.js';
import { deliveryHistoryIndex } from './0005-delivery-history-index.js';
import { webhookChangeSeq } from './0006-webhook-change-seq.js';
import { tenantRateDemand } from './0007-tenant-rate-demand.js';
import { apiKeys } from './0008-api-keys.js';
import { tenantWebhookLimit } from './0009-tenant-webhook-limit.js';
import { apiKeyScopes } from './0010-api-key-scopes.js';
import { deliverySteering } from './0011-delivery-steering.js';
import { deliveryPublicationOrder } from './0012-delivery-publication-order.js';
import { eventFilteredWebhooks } from './0013-event-filtered-webhooks.js';
import { uiSessions } from './0014-ui-sessions.js';
import { operationsConsoleIndexes } from './0015-operations-console-indexes.js';
import { uiSessionRevocations } from './0016-ui-session-revocations.js';

/** Every migration in the order it applies. Append; never reorder or edit an applied one. */
export const migrations: Migration[] = [
  core,
  gateway,
  matcher,
  deliveryWorker,
  deliveryHistoryIndex,
  webhookChangeSeq,
  tenantRateDemand,
  apiKeys,
  tenantWebhookLimit,
  apiKeyScopes,
  deliverySteering,
  deliveryPublicationOrder,
  eventFilteredWebhooks,
  uiSessions,
  operationsConsoleIndexes,
  uiSessionRevocations,
];
