// Configuration comes only from environment variables and is checked once at start:
// a process with a wrong setting must stop with one line that names the variable and
// the rule, not fail later with a stack trace from deep inside a client library.

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly rule: string,
    readonly got: string | undefined,
  ) {
    super(`${variable} ${rule}${got === undefined ? ' (it is not set)' : ` (got ${JSON.stringify(got)})`}`);
    this.name = 'ConfigError';
  }
}

export interface Reader<T> {
  /**
   * Parses the raw value; throws a string describing the rule when it does not fit (or a
   * ConfigError of its own when the fault is in another variable it reads from `source`).
   */
  parse(raw: string | undefined, source?: NodeJS.ProcessEnv): T;
  /** Secret values are never echoed back in errors. */
  secret?: boolean;
}

type Spec = Record<string, Reader<unknown>>;
export type ConfigOf<S extends Spec> = { [K in keyof S]: S[K] extends Reader<infer T> ? T : never };

/** Reads every variable of the spec; the first broken one throws a ConfigError. */
export function readConfig<S extends Spec>(spec: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const [name, reader] of Object.entries(spec)) {
    const raw = env[name];
    try {
      out[name] = reader.parse(raw === '' ? undefined : raw, env);
    } catch (rule) {
      if (rule instanceof ConfigError) throw rule;
      const shown = reader.secret && raw !== undefined ? '<redacted>' : raw;
      throw new ConfigError(name, String(rule instanceof Error ? rule.message : rule), shown);
    }
  }
  return out as ConfigOf<S>;
}

function withDefault<T>(parse: (raw: string) => T, def: T | undefined, rule: string): (raw: string | undefined) => T {
  return (raw) => {
    if (raw === undefined) {
      if (def === undefined) throw `is required: ${rule}`;
      return def;
    }
    return parse(raw);
  };
}

export const env = {
  string(opts: { default?: string; pattern?: RegExp; rule?: string; secret?: boolean } = {}): Reader<string> {
    const rule = opts.rule ?? 'must be a non-empty string';
    return {
      secret: opts.secret,
      parse: withDefault(
        (raw) => {
          if (opts.pattern && !opts.pattern.test(raw)) throw `must be ${rule}`;
          return raw;
        },
        opts.default,
        rule,
      ),
    };
  },
  optionalString(opts: { secret?: boolean; pattern?: RegExp; rule?: string } = {}): Reader<string | undefined> {
    return {
      secret: opts.secret,
      parse: (raw) => {
        if (raw === undefined) return undefined;
        if (opts.pattern && !opts.pattern.test(raw)) throw `must be ${opts.rule ?? 'well formed'}`;
        return raw;
      },
    };
  },
  int(opts: { default?: number; min?: number; max?: number } = {}): Reader<number> {
    const min = opts.min ?? Number.MIN_SAFE_INTEGER;
    const max = opts.max ?? Number.MAX_SAFE_INTEGER;
    const rule = `an integer from ${min} to ${max}`;
    return {
      parse: withDefault(
        (raw) => {
          const n = Number(raw);
          if (!/^-?\d+$/.test(raw.trim()) || n < min || n > max) throw `must be ${rule}`;
          return n;
        },
        opts.default,
        rule,
      ),
    };
  },
  /** An integer in the range, or undefined when the variable is unset (the caller decides what that means). */
  optionalInt(opts: { min?: number; max?: number } = {}): Reader<number | undefined> {
    const strict = env.int(opts);
    return { parse: (raw) => (raw === undefined ? undefined : strict.parse(raw)) };
  },
  port(def?: number): Reader<number> {
    return env.int({ default: def, min: 0, max: 65535 });
  },
  bool(def = false): Reader<boolean> {
    return {
      parse: (raw) => {
        if (raw === undefined) return def;
        const v = raw.trim().toLowerCase();
        if (['true', '1', 'yes', 'on'].includes(v)) return true;
        if (['false', '0', 'no', 'off'].includes(v)) return false;
        throw 'must be true or false';
      },
    };
  },
  oneOf<const T extends string>(values: readonly T[], def?: T): Reader<T> {
    const rule = `one of ${values.join(', ')}`;
    return {
      parse: withDefault(
        (raw) => {
          if (!(values as readonly string[]).includes(raw)) throw `must be ${rule}`;
          return raw as T;
        },
        def,
        rule,
      ),
    };
  },
  /** Comma-separated host:port list, as kafkajs expects. */
  brokers(def = '127.0.0.1:9092'): Reader<string[]> {
    const rule = 'a comma-separated list of host:port (for example 127.0.0.1:9092,kafka-2:9092)';
    return {
      parse: withDefault(
        (raw) => {
          const list = raw.split(',').map((s) => s.trim());
          const ok = list.length > 0 && list.every((b) => /^[A-Za-z0-9._-]+:\d{1,5}$/.test(b) && Number(b.split(':')[1]) <= 65535);
          if (!ok) throw `must be ${rule}`;
          return list;
        },
        def.split(','),
        rule,
      ),
    };
  },
  postgresUrl(def?: string): Reader<string> {
    const rule = 'a postgres:// or postgresql:// URL (for example postgres://postgres@127.0.0.1:5432/hookstream)';
    return {
      secret: true,
      parse: withDefault(
        (raw) => {
          let u: URL;
          try {
            u = new URL(raw);
          } catch {
            throw `must be ${rule}`;
          }
          if (!['postgres:', 'postgresql:'].includes(u.protocol) || !u.hostname || u.pathname.length < 2) throw `must be ${rule}`;
          return raw;
        },
        def,
        rule,
      ),
    };
  },
};
