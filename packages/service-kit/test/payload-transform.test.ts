import { MAX_TRANSFORM_CHARS, PayloadTransform, type TransformInput } from '../src/transform/payload-transform.js';

const event: TransformInput = {
  id: 'evt-1',
  type: 'comment_created',
  source: '/forums',
  subject: 'thread-7',
  time: '2026-12-05T20:00:00Z',
  data: { comment: { author: 'ada', text: 'hello', state: 'approved' } },
};

function compiled(text: string): PayloadTransform {
  const c = PayloadTransform.compile(text);
  if (!c.ok) throw new Error(c.message);
  return c.transform;
}

async function errorOf(text: string): Promise<string> {
  const r = await compiled(text).evaluate(event);
  if (r.ok) throw new Error(`expected a transform error, got ${JSON.stringify(r.body)}`);
  return r.error;
}

describe('PayloadTransform', () => {
  it('turns an event into a Slack-shaped message', async () => {
    const r = await compiled('{"text": data.comment.author & " on " & subject & ": " & data.comment.text, "event": id}').evaluate(event);
    expect(r).toEqual({ ok: true, body: { text: 'ada on thread-7: hello', event: 'evt-1' } });
  });

  it('refuses an expression that does not compile, with the position', () => {
    const c = PayloadTransform.compile('{"text": }');
    expect(c.ok).toBe(false);
    if (c.ok) return;
    expect(c.position).toBe(10);
    expect(c.message).toMatch(/does not compile: S0211/);
  });

  it('refuses an expression over the size bound', () => {
    const c = PayloadTransform.compile(`"${'a'.repeat(MAX_TRANSFORM_CHARS)}"`);
    expect(c).toMatchObject({ ok: false, message: expect.stringMatching(/at most 16384/) });
  });

  it('cuts off a recursion that never ends (time or depth bound) and returns the error', async () => {
    expect(await errorOf('( $f := function($x){ $f($x) }; $f(1) )')).toMatch(/D1011|D1012/);
  });

  it('cuts off a loop that runs over the time bound', async () => {
    const started = Date.now();
    expect(await errorOf('$sum([1..90000].($ * 2 + $sum([1..50])))')).toMatch(/D1012: Evaluation timeout after 50 milliseconds/);
    // Loose: proves the evaluation stopped, not how fast the machine is.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("does not count concurrent evaluations against each other: each one's time bound is its own", async () => {
    // A few milliseconds of work each. JSONata's bound is wall-clock from the start of an
    // evaluation and every step is a microtask, so 60 evaluations started together interleave
    // step by step; each one's clock then ran through all the others and hit the 50 ms bound
    // (a valid transform discarded because the worker was busy, seen under load in CI).
    const transform = compiled('{"n": $sum([1..300].($ * 2))}');
    const results = await Promise.all(Array.from({ length: 60 }, () => transform.evaluate(event)));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results[0]).toEqual({ ok: true, body: { n: 300 * 301 } });
  });

  it('runs an evaluation again when its clock ran out while the process got no CPU (a starved host), but not a slow one', async () => {
    // JSONata reads Date.now() on entry to every step: one reading 100 ms late is the process
    // being descheduled for 100 ms in the middle of a cheap evaluation.
    const realNow = Date.now;
    let readings = 0;
    let lateReadings = 0;
    Date.now = () => {
      readings++;
      if (readings === 4) lateReadings++;
      return realNow() + (readings >= 4 && readings < 8 ? 100 : 0);
    };
    try {
      const r = await compiled('{"n": $sum([1..50])}').evaluate(event);
      expect(r).toEqual({ ok: true, body: { n: 1275 } });
      expect(lateReadings).toBe(1);
      expect(readings).toBeGreaterThan(8);
    } finally {
      Date.now = realNow;
    }
    // A loop that really runs out of time uses its budget of CPU: still cut off (see above).
    expect(await errorOf('$sum([1..90000].($ * 2 + $sum([1..50])))')).toMatch(/D1012/);
  });

  it('stops a huge range at once', async () => {
    expect(await errorOf('$count([1..1e9])')).toMatch(/D2014|D2015/);
    expect(await errorOf('$count([1..1e6])')).toMatch(/D2015/);
  });

  it('refuses a huge $pad and a string doubled past the bound', async () => {
    expect(await errorOf('{"t": $pad("", 100000000)}')).toMatch(/\$pad width/);
    expect(await errorOf('{"t": $reduce([1..40], function($a, $i){ $a & $a }, "x")}')).toMatch(/more than 1048576 characters/);
    expect(await compiled('{"t": $pad("ab", 5, "-")}').evaluate(event)).toEqual({ ok: true, body: { t: 'ab---' } });
  });

  it('runs regular expressions in linear time and refuses those that cannot be (back-references)', async () => {
    const started = Date.now();
    const r = await compiled(`{"m": $contains("${'a'.repeat(40)}!", /^(a+)+$/), "n": $match("ab12cd", /[0-9]+/).match}`).evaluate(event);
    expect(r).toEqual({ ok: true, body: { m: false, n: '12' } });
    // A backtracking engine needs minutes for this match; loose, it proves the engine, not the machine.
    expect(Date.now() - started).toBeLessThan(5000);
    const c = PayloadTransform.compile('$contains("aa", /^(a|a)*\\1$/)');
    expect(c).toMatchObject({ ok: false, message: expect.stringMatching(/linear time/) });
    expect(await errorOf('$eval("$contains(\\"aa\\", /(a)\\\\1/)")')).toMatch(/linear time/);
  });

  it('reads no prototype or global', async () => {
    const r = await compiled('{"a": constructor, "b": $.__proto__, "c": $eval("constructor"), "d": $string.constructor}').evaluate(event);
    expect(r).toEqual({ ok: true, body: {} });
  });

  it('reports an expression that throws', async () => {
    expect(await errorOf('$error("no comment")')).toBe('D3137: no comment (at position 7)');
  });

  it('refuses a result that is not a JSON object', async () => {
    expect(await errorOf('"just text"')).toBe('the transform produced a string; it must produce a JSON object');
    expect(await errorOf('[1, 2]')).toMatch(/produced an array/);
    expect(await errorOf('nothing.here')).toMatch(/produced nothing/);
  });
});
