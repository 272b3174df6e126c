import { GroupMembers } from '../src/lifecycle/group-members.js';

// Issue 21: a process that crashes (uncaught exception, a shutdown past its deadline) leaves its
// consumer groups before exiting, so its partitions move at once instead of after the session
// timeout; a leave that hangs must not keep the process from exiting.
const quietLogger = { warn: () => undefined };

describe('GroupMembers.leaveAll', () => {
  it('makes every registered consumer leave its group', async () => {
    const members = new GroupMembers(quietLogger);
    const left: string[] = [];
    members.add('events', async () => void left.push('events'));
    members.add('jobs', async () => void left.push('jobs'));
    await members.leaveAll(1000);
    expect(left.sort()).toEqual(['events', 'jobs']);
  });

  it('gives up on a leave that hangs after the deadline, and still makes the others leave', async () => {
    const members = new GroupMembers(quietLogger);
    let other = false;
    members.add('stuck', () => new Promise<void>(() => undefined));
    members.add('fine', async () => {
      other = true;
    });
    const outcome = await members.leaveAll(50);
    expect(other).toBe(true);
    expect(outcome).toEqual({ left: ['fine'], unfinished: ['stuck'] });
  });

  it('reports a leave that fails without throwing', async () => {
    const warnings: unknown[] = [];
    const members = new GroupMembers({ warn: (o: unknown) => void warnings.push(o) });
    members.add('broken', () => Promise.reject(new Error('coordinator not available')));
    await expect(members.leaveAll(1000)).resolves.toEqual({ left: [], unfinished: ['broken'] });
    expect(warnings).toHaveLength(1);
  });

  it('leaves once, however many crashes ask', async () => {
    const members = new GroupMembers(quietLogger);
    let calls = 0;
    members.add('events', async () => void calls++);
    await Promise.all([members.leaveAll(1000), members.leaveAll(1000)]);
    expect(calls).toBe(1);
  });
});
