import { setFlagsFromString } from 'node:v8';
import jsonata from 'jsonata';

/** Characters of a webhook's `transform` expression. */
export const MAX_TRANSFORM_CHARS = 16 * 1024;
/** Wall-clock budget of one evaluation, checked by JSONata on entry to every sub-expression. */
export const TRANSFORM_TIMEOUT_MS = 50;
/** Nesting of sub-expression evaluations (recursion included) before JSONata stops with D1011. */
export const TRANSFORM_MAX_DEPTH = 500;
/** Items of any sequence the expression builds (a range like `[1..1e9]` stops at once). */
export const TRANSFORM_MAX_SEQUENCE = 100_000;
/** Serialised size of the body a transform produces. */
export const MAX_TRANSFORMED_BODY_BYTES = 256 * 1024;
/** `$pad` is the one built-in that allocates as much as its argument asks in a single native step. */
const MAX_PAD_WIDTH = 64 * 1024;
/**
 * Characters of any string a step produces: concatenation doubles a string per step at no cost
 * in time (V8 joins ropes lazily), so without this bound a few steps make a string whose
 * serialisation would block the event loop for seconds.
 */
const MAX_INTERMEDIATE_STRING = 1024 * 1024;

/** Runs of an evaluation cut off by the time bound while the process did not get the CPU to run it. */
const MAX_STARVED_ATTEMPTS = 3;

/** The tail of the process-wide queue of evaluations (see PayloadTransform.evaluate); it never rejects. */
let evaluationQueue: Promise<unknown> = Promise.resolve();

function linearRegExpAvailable(): boolean {
  try {
    // The flag is built so that linters do not judge it: `l` exists only behind V8's flag.
    const linear = String.fromCharCode(108);
    return new RegExp('a', linear).flags.includes(linear);
  } catch {
    return false;
  }
}
// V8's linear-time regular expression engine (the `l` flag) is behind a flag; it only changes what
// the `l` flag means, so turning it on at run time leaves every other regular expression as it was.
if (!linearRegExpAvailable()) setFlagsFromString('--enable-experimental-regexp-engine');
const LINEAR_REGEXP = linearRegExpAvailable();

/**
 * The regular expressions of a transform (JSONata's `RegexEngine`): always V8's linear-time
 * engine, because a timeout checked between steps cannot stop one backtracking match, and
 * `/^(a+)+$/` against 30 characters runs for seconds. Patterns the linear engine cannot run
 * (back-references, lookarounds) are refused; without the engine no pattern is accepted.
 */
class LinearRegExp extends RegExp {
  constructor(pattern: RegExp | string, flags?: string) {
    if (!LINEAR_REGEXP) throw new Error('regular expressions are not available in transforms on this Node.js');
    const source = typeof pattern === 'string' ? pattern : pattern.source;
    const given = flags ?? (typeof pattern === 'string' ? '' : pattern.flags);
    super(source, given.includes('l') ? given : `${given}l`);
  }
}

/** The first regular expression of the expression's tree the linear engine refuses, as a message. */
function refusedRegex(ast: unknown): string | undefined {
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node instanceof RegExp) {
      try {
        new LinearRegExp(node);
      } catch (e) {
        return (e as Error).message;
      }
      continue;
    }
    if (typeof node === 'object' && node !== null) for (const v of Object.values(node)) stack.push(v);
  }
  return undefined;
}

/** What a transform reads: the event's envelope members and the body the partner would receive. */
export interface TransformInput {
  /** Always set for a delivery; a preview's sample event may leave it out. */
  id?: string;
  type?: string;
  source?: string;
  subject?: string;
  time?: string;
  data: Record<string, unknown>;
}

export type TransformResult = { ok: true; body: Record<string, unknown> } | { ok: false; error: string };

export type CompiledTransform = { ok: true; transform: PayloadTransform } | { ok: false; message: string; position?: number };

interface JsonataError {
  code?: string;
  position?: number;
  message?: string;
}

function describe(e: unknown): string {
  const err = (e ?? {}) as JsonataError;
  const message = typeof err.message === 'string' && err.message ? err.message : String(e);
  const code = typeof err.code === 'string' ? `${err.code}: ` : '';
  return `${code}${message}${typeof err.position === 'number' ? ` (at position ${err.position})` : ''}`;
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * A compiled JSONata expression that turns an event into the body a partner receives. JSONata
 * reads only its input: it has no network, file system or JavaScript `eval` (its `$eval` parses
 * and evaluates JSONata under the same bounds), and it looks fields up as own properties only,
 * so `constructor` or `__proto__` read nothing. Untrusted expressions are bounded by JSONata's
 * guardrails (time, depth, sequence length), linear-time regular expressions, a `$pad` that
 * refuses huge widths, a bound on the strings a step builds and on the result; evaluation never throws.
 */
export class PayloadTransform {
  private constructor(private readonly expression: jsonata.Expression) {}

  /** Compiles once (per webhook revision); an error names the position JSONata reports. */
  static compile(text: string): CompiledTransform {
    if (text.length > MAX_TRANSFORM_CHARS) return { ok: false, message: `is ${text.length} characters long; at most ${MAX_TRANSFORM_CHARS} are allowed` };
    let expression: jsonata.Expression;
    try {
      expression = jsonata(text, {
        timeout: TRANSFORM_TIMEOUT_MS,
        stack: TRANSFORM_MAX_DEPTH,
        sequence: TRANSFORM_MAX_SEQUENCE,
        // JSONata only constructs it with `new`; the type also asks for the callable form.
        RegexEngine: LinearRegExp as unknown as RegExpConstructor,
      });
    } catch (e) {
      const err = (e ?? {}) as JsonataError;
      return {
        ok: false,
        message: `does not compile: ${describe(e)}`,
        ...(typeof err.position === 'number' ? { position: err.position } : {}),
      };
    }
    const regexProblem = refusedRegex(expression.ast());
    if (regexProblem) return { ok: false, message: `does not compile: ${regexProblem} (only regular expressions that run in linear time are allowed)` };
    expression.registerFunction(
      'pad',
      (str: unknown, width: unknown, char?: unknown) => {
        if (typeof str !== 'string' || typeof width !== 'number') return undefined;
        if (Math.abs(width) > MAX_PAD_WIDTH) throw new Error(`$pad width ${width} exceeds ${MAX_PAD_WIDTH}`);
        const fill = typeof char === 'string' && char.length > 0 ? char : ' ';
        const missing = Math.abs(width) - [...str].length;
        if (missing <= 0) return str;
        const padding = fill.repeat(Math.ceil(missing / fill.length)).slice(0, missing);
        return width < 0 ? padding + str : str + padding;
      },
      '<s-ns?:s>',
    );
    // JSONata calls this hook after every step (its documented way to watch an evaluation).
    const onStepExit = (_expr: unknown, _input: unknown, _env: unknown, result: unknown) => {
      if (typeof result === 'string' && result.length > MAX_INTERMEDIATE_STRING) {
        throw new Error(`a string of more than ${MAX_INTERMEDIATE_STRING} characters was built`);
      }
    };
    expression.assign(Symbol.for('jsonata.__evaluate_exit') as unknown as string, onStepExit);
    return { ok: true, transform: new PayloadTransform(expression) };
  }

  /**
   * The body to send, or why there is none: a JSON object is required (a Slack or Teams message is one).
   * Evaluations run one at a time, in call order: JSONata's time bound is wall-clock from the
   * start of an evaluation and every step is a microtask, so evaluations started together would
   * interleave step by step and each one's clock would count all the others' work (60 transforms
   * of a few milliseconds each all timed out). One at a time costs no throughput: they share one
   * thread either way, and no step waits for I/O. The event loop gets a turn before each one, so
   * a long queue never holds the process's I/O (heartbeats, responses) for more than one budget.
   */
  evaluate(input: TransformInput): Promise<TransformResult> {
    const result = evaluationQueue.then(() => new Promise((resolve) => setImmediate(resolve))).then(() => this.evaluateNow(input));
    evaluationQueue = result.catch(() => undefined);
    return result;
  }

  private async evaluateNow(input: TransformInput): Promise<TransformResult> {
    let value: unknown;
    for (let attempt = 1; ; attempt++) {
      const cpuBefore = process.cpuUsage();
      try {
        value = await this.expression.evaluate(input);
        break;
      } catch (e) {
        // Out of time while the process got less than half the budget of CPU: the machine
        // starved it (a loaded host, a GC pause), the expression is not slow. Evaluations have
        // no side effects, so it runs again, at most twice more.
        const cpu = process.cpuUsage(cpuBefore);
        const starved = (cpu.user + cpu.system) / 1000 < TRANSFORM_TIMEOUT_MS / 2;
        if ((e as JsonataError | undefined)?.code === 'D1012' && starved && attempt < MAX_STARVED_ATTEMPTS) continue;
        return { ok: false, error: describe(e) };
      }
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, error: `the transform produced ${kindOf(value)}; it must produce a JSON object` };
    }
    let json: string;
    try {
      json = JSON.stringify(value);
    } catch (e) {
      return { ok: false, error: `the transform's result is not JSON: ${(e as Error).message}` };
    }
    if (Buffer.byteLength(json) > MAX_TRANSFORMED_BODY_BYTES) {
      return { ok: false, error: `the transform produced more than ${MAX_TRANSFORMED_BODY_BYTES} bytes` };
    }
    // Round trip: JSONata's sequences and functions become plain JSON, as the partner reads them.
    return { ok: true, body: JSON.parse(json) as Record<string, unknown> };
  }
}
