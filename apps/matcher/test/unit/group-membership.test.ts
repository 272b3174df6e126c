import { watchGroupMembership, type GroupEvents } from '../../src/consumer/group-membership.js';

class FakeGroup implements GroupEvents {
  private join?: (assignment: Record<string, number[]>) => void;
  private crash?: (error: Error, restart: boolean) => void;
  onGroupJoin(listener: (assignment: Record<string, number[]>) => void): void {
    this.join = listener;
  }
  onCrash(listener: (error: Error, restart: boolean) => void): void {
    this.crash = listener;
  }
  joined(assignment: Record<string, number[]>): void {
    this.join!(assignment);
  }
  crashed(error: Error, restart: boolean): void {
    this.crash!(error, restart);
  }
}

function setup() {
  const group = new FakeGroup();
  const owned: ((topic: string, partition: number) => boolean)[] = [];
  const stopped: Error[] = [];
  const warnings: string[] = [];
  const membership = watchGroupMembership(group, {
    committer: { retainOnly: (f) => void owned.push(f) },
    onStopped: (e) => stopped.push(e),
    logger: { warn: (_: unknown, msg?: string) => void warnings.push(msg ?? '') },
  });
  return { group, membership, owned, stopped, warnings };
}

describe('watchGroupMembership', () => {
  it('is a member only after joining, and keeps the committer to the partitions assigned', () => {
    const t = setup();
    expect(t.membership.joined).toBe(false);
    t.group.joined({ events: [0, 2] });
    expect(t.membership.joined).toBe(true);
    const owns = t.owned[0]!;
    expect([owns('events', 0), owns('events', 1), owns('events', 2), owns('other', 0)]).toEqual([true, false, true, false]);
  });

  it('only warns when kafkajs restarts the consumer by itself', () => {
    const t = setup();
    t.group.joined({ events: [0] });
    t.group.crashed(new Error('coordinator moved'), true);
    expect(t.membership.joined).toBe(true);
    expect(t.stopped).toEqual([]);
    expect(t.warnings).toEqual(['events consumer crashed; kafkajs restarts it']);
  });

  it('leaves the group and reports the stop when kafkajs will not restart the consumer', () => {
    const t = setup();
    t.group.joined({ events: [0] });
    t.group.crashed(new Error('fatal'), false);
    expect(t.membership.joined).toBe(false);
    expect(t.stopped.map((e) => e.message)).toEqual(['fatal']);
  });
});
