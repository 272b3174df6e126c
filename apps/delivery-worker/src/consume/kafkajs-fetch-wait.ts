import { createRequire } from 'node:module';

/**
 * kafkajs reads a consumer's long-poll wait from its consumer group's `maxWaitTime` once per
 * fetch (src/consumer/consumerGroup.js: the Fetch request's wait, or the pause while every
 * partition is paused) and offers no way to change it after `kafka.consumer()`. This makes
 * that field an accessor on the class, so a group registered here gets each fetch's wait from
 * its own function; other groups keep the number they were created with. Not a public kafkajs
 * API: the module is reached by its path, and only the release it was written against is changed.
 */
const PATCHED_KAFKAJS_VERSION = '2.2.4';
const fixedWait = Symbol('fixed maxWaitTime');

interface ConsumerGroupInstance {
  groupId: string;
  [fixedWait]?: number;
}

const sources = new Map<string, () => number>();
let patched: boolean | undefined;

function patchConsumerGroup(): boolean {
  if (patched !== undefined) return patched;
  const require = createRequire(import.meta.url);
  const { version } = require('kafkajs/package.json') as { version: string };
  if (version !== PATCHED_KAFKAJS_VERSION) return (patched = false);
  const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup.js') as { prototype: object };
  Object.defineProperty(ConsumerGroup.prototype, 'maxWaitTime', {
    configurable: true,
    get(this: ConsumerGroupInstance): number | undefined {
      const next = sources.get(this.groupId);
      return next ? next() : this[fixedWait];
    },
    set(this: ConsumerGroupInstance, value: number) {
      this[fixedWait] = value;
    },
  });
  return (patched = true);
}

/**
 * From now on, every fetch of consumer group `groupId` in this process waits what `next`
 * returns (one consumer per group and process, as the worker runs). False when this kafkajs
 * release cannot be changed: its fetches keep their fixed wait.
 */
export function takeFetchWaitFrom(groupId: string, next: () => number): boolean {
  if (!patchConsumerGroup()) return false;
  sources.set(groupId, next);
  return true;
}

/** The group's fetches go back to their fixed wait. */
export function forgetFetchWait(groupId: string): void {
  sources.delete(groupId);
}
