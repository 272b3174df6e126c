/**
 * The concurrency an endpoint that says it is overloaded (429, 502, 503, 504) is given, below the
 * lane's own ceiling (`max_in_flight` and whatever else bounds it): halved on each such answer,
 * down to 1, and raised by one after every `limit` successes in a row (additive increase, about
 * one step per round of calls), so a recovering receiver is not flooded again at once. Other
 * endpoints never see it: each webhook has its own.
 */
export class EndpointThrottle {
  private successes = 0;

  constructor(private current: number) {}

  get limit(): number {
    return this.current;
  }

  /** The endpoint answered "overloaded": halve, within the ceiling it runs under now. */
  throttled(ceiling: number): void {
    this.current = Math.max(1, Math.floor(Math.min(this.current, ceiling) / 2));
    this.successes = 0;
  }

  /** A success: one step back up after a round of them. True once it is back at the ceiling (nothing left to remember). */
  succeeded(ceiling: number): boolean {
    if (this.current >= ceiling) return true;
    if (++this.successes >= this.current) {
      this.current++;
      this.successes = 0;
    }
    return this.current >= ceiling;
  }
}
