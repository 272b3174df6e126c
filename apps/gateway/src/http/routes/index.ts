import { apiKeyRoutes } from './api-keys.js';
import { deliveryRoutes } from './deliveries.js';
import { eventRoutes } from './events.js';
import { eventTypeRoutes } from './event-types.js';
import { operationsConsoleRoutes } from './operations-console.js';
import { operationRoutes } from './operations.js';
import type { Route } from './route.js';
import { secretRoutes } from './secrets.js';
import { sessionRoutes } from './sessions.js';
import { tenantRoutes } from './tenants.js';
import { testEventRoutes } from './test-events.js';
import { webhookRoutes } from './webhooks.js';

/** Every operation of the gateway's API: the one list that routing, auth and the OpenAPI document read. */
export const ROUTES: readonly Route[] = [
  ...operationRoutes,
  ...tenantRoutes,
  ...apiKeyRoutes,
  ...eventRoutes,
  ...eventTypeRoutes,
  ...webhookRoutes,
  ...testEventRoutes,
  ...secretRoutes,
  ...deliveryRoutes,
  ...sessionRoutes,
  ...operationsConsoleRoutes,
];
