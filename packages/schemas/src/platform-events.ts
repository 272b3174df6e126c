import { canonicalEventType } from './events/catalogue.js';
import { SYSTEM_EVENT_CATEGORIES } from './events/activity.js';
import type { ValidationError } from './validation.js';

/**
 * A CloudEvents extension attribute no publisher may set: the name of the record header that
 * marks a test event (`hookstream-test-webhook`), so nobody can believe an event of their own
 * becomes a test event by carrying it. Test events are sent with `POST /v1/webhooks/{id}/test-events`.
 */
export const TEST_WEBHOOK_ATTRIBUTE = 'hookstreamtestwebhook';

/** CloudEvents `source` of the events hookstream emits itself (`hookstream/gateway`, ...). */
export const PLATFORM_SOURCE_PREFIX = 'hookstream/';

const LIFECYCLE_TYPES: ReadonlySet<string> = new Set(SYSTEM_EVENT_CATEGORIES.webhook);

/**
 * Why a tenant may not publish this event: the webhook lifecycle types (`jive:webhook_*`) and
 * the `hookstream/` sources are hookstream's own, and a partner trusts them to come from the
 * platform (a forged `jive:webhook_deleted` could make it drop its integration). The gateway's
 * lifecycle publisher writes to the topic directly and is not checked here.
 */
export function platformEventErrors(event: { type?: unknown; source?: unknown; [attribute: string]: unknown }): ValidationError[] {
  const errors: ValidationError[] = [];
  if (event[TEST_WEBHOOK_ATTRIBUTE] !== undefined) {
    errors.push({
      path: `/${TEST_WEBHOOK_ATTRIBUTE}`,
      message: 'test events are sent with POST /v1/webhooks/{id}/test-events; a published event cannot mark itself as one',
      rule: 'reserved',
    });
  }
  if (typeof event.type === 'string') {
    const canonical = canonicalEventType(event.type) ?? event.type;
    if (LIFECYCLE_TYPES.has(canonical) || event.type.toLowerCase().startsWith('jive:webhook_')) {
      errors.push({ path: '/type', message: 'webhook lifecycle events (jive:webhook_*) are published by hookstream only', rule: 'reserved' });
    }
  }
  if (typeof event.source === 'string') {
    const source = event.source.trim().toLowerCase();
    if (source === 'hookstream' || source.startsWith(PLATFORM_SOURCE_PREFIX)) {
      errors.push({ path: '/source', message: `sources under ${PLATFORM_SOURCE_PREFIX} are hookstream's own; use your application's URI`, rule: 'reserved' });
    }
  }
  return errors;
}
