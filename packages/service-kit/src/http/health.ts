/** A named readiness condition; it resolves when fine and throws (or rejects) with the reason when not. */
export type HealthCheck = () => Promise<void>;

export interface HealthReport {
  ok: boolean;
  checks: Record<string, { ok: boolean; error?: string; ms: number }>;
}

export class Health {
  private readonly checks = new Map<string, HealthCheck>();
  private stopping = false;
  private lastVerdict?: { at: number; ok: Promise<boolean> };

  add(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  /** Once shutdown begins the process reports not ready, so balancers stop sending to it. */
  markStopping(): void {
    this.stopping = true;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /**
   * Readiness as one bit, for an unauthenticated probe on a public port: the checks run at most
   * once per `maxAgeMs` however many callers ask (no Kafka or PostgreSQL round trip per request),
   * and the reasons stay on the operations port.
   */
  async isReady(maxAgeMs = 1000): Promise<boolean> {
    if (this.stopping) return false;
    const now = Date.now();
    if (!this.lastVerdict || now - this.lastVerdict.at >= maxAgeMs) this.lastVerdict = { at: now, ok: this.report().then((r) => r.ok) };
    return this.lastVerdict.ok;
  }

  async report(timeoutMs = 2000): Promise<HealthReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        const t0 = Date.now();
        try {
          await withTimeout(check(), timeoutMs, `${name} check timed out after ${timeoutMs} ms`);
          return [name, { ok: true, ms: Date.now() - t0 }] as const;
        } catch (e) {
          return [name, { ok: false, error: e instanceof Error ? e.message : String(e), ms: Date.now() - t0 }] as const;
        }
      }),
    );
    const checks: HealthReport['checks'] = Object.fromEntries(entries);
    if (this.stopping) checks['shutdown'] = { ok: false, error: 'shutting down', ms: 0 };
    return { ok: Object.values(checks).every((c) => c.ok), checks };
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
