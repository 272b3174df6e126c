/** Something that makes a consumer leave its group (kafkajs: `consumer.disconnect()`). */
export type LeaveGroup = () => Promise<void>;

export interface LeaveOutcome {
  left: string[];
  unfinished: string[];
}

/**
 * The consumer groups a process belongs to, left on every way out. A graceful stop leaves them
 * through its shutdown steps; a crash (an uncaught exception, a shutdown past its deadline) would
 * otherwise exit as a member, and its partitions would deliver nothing until the group's session
 * timeout passed. Bounded: a leave that hangs (a coordinator that does not answer) must not keep
 * a broken process alive.
 */
export class GroupMembers {
  private readonly members: { name: string; leave: LeaveGroup }[] = [];
  private leaving: Promise<LeaveOutcome> | undefined;

  constructor(private readonly logger: { warn(obj: object, msg: string): void }) {}

  add(name: string, leave: LeaveGroup): void {
    this.members.push({ name, leave });
  }

  /** Asks every member to leave at once; resolves by `timeoutMs` at the latest. Idempotent. */
  leaveAll(timeoutMs: number): Promise<LeaveOutcome> {
    this.leaving ??= this.run(timeoutMs);
    return this.leaving;
  }

  private async run(timeoutMs: number): Promise<LeaveOutcome> {
    const left: string[] = [];
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    const attempts = this.members.map(({ name, leave }) =>
      leave().then(
        () => void left.push(name),
        (err: unknown) => this.logger.warn({ err, consumer: name }, 'could not leave the consumer group; its partitions move after the session timeout'),
      ),
    );
    await Promise.race([Promise.all(attempts), deadline]);
    clearTimeout(timer);
    return { left: [...left], unfinished: this.members.map((m) => m.name).filter((n) => !left.includes(n)) };
  }
}
