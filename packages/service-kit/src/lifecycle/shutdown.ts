import type { Logger } from 'pino';

export type StopHandler = () => Promise<void> | void;

/**
 * Ordered shutdown: handlers run last-registered first (intake stops before the
 * clients it uses disconnect), all within one deadline.
 */
export class Shutdown {
  private readonly handlers: { name: string; fn: StopHandler }[] = [];
  private running: Promise<boolean> | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly deadlineMs: number,
  ) {}

  register(name: string, fn: StopHandler): void {
    this.handlers.push({ name, fn });
  }

  /** Resolves true when every handler finished in time. Idempotent. */
  run(reason: string): Promise<boolean> {
    this.running ??= this.execute(reason);
    return this.running;
  }

  private async execute(reason: string): Promise<boolean> {
    const t0 = Date.now();
    this.logger.info({ reason, deadline_ms: this.deadlineMs }, 'shutting down');
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), this.deadlineMs);
    });
    const work = (async () => {
      for (const h of [...this.handlers].reverse()) {
        try {
          await h.fn();
        } catch (e) {
          this.logger.warn({ err: e, step: h.name }, 'shutdown step failed');
        }
      }
      return 'done' as const;
    })();
    const outcome = await Promise.race([work, expired]);
    clearTimeout(timer);
    if (outcome === 'expired') {
      this.logger.error({ elapsed_ms: Date.now() - t0 }, 'shutdown deadline passed; in-flight work is left to Kafka redelivery');
      return false;
    }
    this.logger.info({ elapsed_ms: Date.now() - t0 }, 'stopped');
    return true;
  }
}
