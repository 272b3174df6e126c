import type { Logger } from '@hookstream/service-kit';
import type { Consumer } from 'kafkajs';

/** The group events of a Kafka consumer the matcher follows. */
export interface GroupEvents {
  /** After each (re)join, with the partitions assigned to this member per topic. */
  onGroupJoin(listener: (assignment: Record<string, number[]>) => void): void;
  /** `restart` tells whether kafkajs restarts the consumer by itself. */
  onCrash(listener: (error: Error, restart: boolean) => void): void;
}

export function kafkaGroupEvents(consumer: Consumer): GroupEvents {
  return {
    onGroupJoin: (listener) => void consumer.on(consumer.events.GROUP_JOIN, (e) => listener(e.payload.memberAssignment)),
    onCrash: (listener) => void consumer.on(consumer.events.CRASH, (e) => listener(e.payload.error, e.payload.restart)),
  };
}

export interface GroupMembershipOptions {
  /** Pending commits of partitions this member no longer owns are dropped (their new owner commits). */
  committer: { retainOnly(owned: (topic: string, partition: number) => boolean): void };
  /** The consumer stopped and kafkajs will not restart it: the process cannot work any more. */
  onStopped: (error: Error) => void;
  logger: Pick<Logger, 'warn'>;
}

/**
 * Follows the consumer's membership of its group: whether it is a member (readiness), which
 * partitions it owns (the committer keeps only theirs), and whether it stopped for good.
 */
export function watchGroupMembership(events: GroupEvents, { committer, onStopped, logger }: GroupMembershipOptions): { readonly joined: boolean } {
  const state = { joined: false };
  events.onGroupJoin((assignment) => {
    state.joined = true;
    committer.retainOnly((topic, partition) => assignment[topic]?.includes(partition) ?? false);
  });
  events.onCrash((error, restart) => {
    if (restart) {
      logger.warn({ err: error }, 'events consumer crashed; kafkajs restarts it');
      return;
    }
    state.joined = false;
    onStopped(error);
  });
  return state;
}
