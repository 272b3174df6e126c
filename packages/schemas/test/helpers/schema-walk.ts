// Walks a JSON Schema alongside a valid instance of it and lists the mutations that must make
// the instance invalid: each required property removed, each property given a wrong type, each
// bounded value pushed past its bound. The cases come from the schemas themselves, so a field
// added to a schema is covered without touching the tests.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

type Schema = Record<string, unknown>;

const ajv = new Ajv2020({ strict: false });
addFormats.default(ajv);

export interface MutationCase {
  /** JSON Pointer of the mutated property; the error must name this path. */
  pointer: string;
  /** What was done, for the test title. */
  label: string;
  /** The Ajv keyword expected at that path, when one specific rule must catch it. */
  rule?: string;
  /** undefined means "remove". */
  value?: unknown;
  remove?: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function escapeToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Visits every (schema, instance, pointer) triple reachable through properties, items and matching if/then. */
function visit(schema: unknown, instance: unknown, pointer: string, fn: (schema: Schema, instance: unknown, pointer: string) => void): void {
  if (!isObject(schema)) return;
  fn(schema, instance, pointer);
  if (isObject(instance)) {
    for (const part of (schema.allOf as unknown[] | undefined) ?? []) {
      if (!isObject(part)) continue;
      if (part.if !== undefined && part.then !== undefined) {
        if (ajv.validate(part.if as Schema, instance)) visit(part.then, instance, pointer, fn);
      } else {
        visit(part, instance, pointer, fn);
      }
    }
    const props = (schema.properties as Record<string, unknown> | undefined) ?? {};
    for (const [key, sub] of Object.entries(props)) {
      if (key in instance) visit(sub, instance[key], `${pointer}/${escapeToken(key)}`, fn);
    }
  }
  if (Array.isArray(instance) && isObject(schema.items)) {
    instance.forEach((item, i) => visit(schema.items, item, `${pointer}/${i}`, fn));
  }
}

export function requiredFieldCases(schema: Schema, instance: unknown): MutationCase[] {
  const cases = new Map<string, MutationCase>();
  visit(schema, instance, '', (s, value, pointer) => {
    if (!isObject(value)) return;
    for (const key of (s.required as string[] | undefined) ?? []) {
      const p = `${pointer}/${escapeToken(key)}`;
      if (key in value) cases.set(p, { pointer: p, label: `without ${p}`, remove: true, rule: 'required' });
    }
  });
  return [...cases.values()];
}

function typesOf(schema: Schema): string[] {
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.anyOf)) return schema.anyOf.flatMap((s) => (isObject(s) ? typesOf(s) : []));
  return [];
}

function wrongValueFor(types: string[]): unknown {
  if (!types.includes('object')) return { wrong: 'type' };
  if (!types.includes('string')) return 'wrong type';
  return 12345;
}

export function wrongTypeCases(schema: Schema, instance: unknown): MutationCase[] {
  const cases = new Map<string, MutationCase>();
  visit(schema, instance, '', (s, _value, pointer) => {
    if (pointer === '') return;
    const types = typesOf(s);
    if (types.length === 0) return;
    cases.set(pointer, { pointer, label: `${pointer} of the wrong type (not ${types.join('|')})`, value: wrongValueFor(types) });
  });
  return [...cases.values()];
}

export function outOfRangeCases(schema: Schema, instance: unknown): MutationCase[] {
  const cases: MutationCase[] = [];
  const seen = new Set<string>();
  const add = (c: MutationCase) => {
    const key = `${c.pointer}|${c.rule}`;
    if (seen.has(key)) return;
    seen.add(key);
    cases.push(c);
  };
  visit(schema, instance, '', (s, _value, pointer) => {
    if (pointer === '') return;
    if (typeof s.maximum === 'number') add({ pointer, rule: 'maximum', label: `${pointer} = ${s.maximum + 1} (maximum ${s.maximum})`, value: s.maximum + 1 });
    if (typeof s.minimum === 'number') add({ pointer, rule: 'minimum', label: `${pointer} = ${s.minimum - 1} (minimum ${s.minimum})`, value: s.minimum - 1 });
    if (typeof s.exclusiveMinimum === 'number') {
      add({ pointer, rule: 'exclusiveMinimum', label: `${pointer} = ${s.exclusiveMinimum} (exclusiveMinimum)`, value: s.exclusiveMinimum });
    }
    if (typeof s.maxLength === 'number' && s.maxLength < 100_000) {
      add({ pointer, rule: 'maxLength', label: `${pointer} longer than ${s.maxLength}`, value: 'x'.repeat(s.maxLength + 1) });
    }
    if (typeof s.minLength === 'number' && s.minLength > 0) add({ pointer, rule: 'minLength', label: `${pointer} empty`, value: '' });
    if (Array.isArray(s.enum)) add({ pointer, rule: 'enum', label: `${pointer} not in the enum`, value: 'not-a-listed-value' });
    if (s.const !== undefined)
      add({ pointer, rule: 'const', label: `${pointer} other than the const`, value: typeof s.const === 'boolean' ? !s.const : 'not-the-constant' });
  });
  return cases;
}

function parse(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** A deep copy of `instance` with the case applied. */
export function applyCase<T>(instance: T, c: MutationCase): T {
  const copy = structuredClone(instance);
  const tokens = parse(c.pointer);
  const last = tokens.pop() as string;
  let node: unknown = copy;
  for (const t of tokens) node = (node as Record<string, unknown>)[t];
  if (Array.isArray(node)) {
    if (c.remove) node.splice(Number(last), 1);
    else node[Number(last)] = c.value;
  } else if (isObject(node)) {
    if (c.remove) delete node[last];
    else node[last] = c.value;
  }
  return copy;
}
