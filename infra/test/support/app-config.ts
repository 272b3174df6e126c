import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { workerConfigSpec } from '@hookstream/delivery-worker/dist/config.js';
import { consumerGroupId as workerGroupId } from '@hookstream/delivery-worker/dist/worker.js';
import { gatewayConfigSpec } from '@hookstream/gateway/dist/config.js';
import { matcherConfigSpec } from '@hookstream/matcher/dist/config.js';
import { baseConfigSpec, opsListenerSpec, type Reader } from '@hookstream/service-kit';
import { repoRoot } from '@hookstream/test-kit';

export type AppName = 'gateway' | 'matcher' | 'delivery-worker';
export const APPS: readonly AppName[] = ['gateway', 'matcher', 'delivery-worker'];

type Spec = Record<string, Reader<unknown>>;

/** The apps' own configuration specs, as compiled: the same readers that run in production. */
const OWN_SPECS: Record<AppName, Spec> = {
  gateway: gatewayConfigSpec as Spec,
  matcher: matcherConfigSpec as Spec,
  'delivery-worker': workerConfigSpec as Spec,
};

/** Packages every app runs on; their direct `process.env.X` reads count as settings too. */
const SHARED_SOURCES = ['packages/service-kit/src', 'packages/store/src', 'packages/schemas/src'];

/** Read by Node itself rather than by hookstream code. */
export const NODE_RUNTIME_VARIABLES = new Set(['NODE_OPTIONS']);

export interface AppSettings {
  /** Every variable with its reader (spec entries and the operations listener's variables). */
  readers: Spec;
  /** Variables read straight from process.env (no reader, no validation). */
  rawReads: Set<string>;
  /** Variables whose reader is marked secret: they belong in the Secret. */
  secrets: Set<string>;
  /** Where /healthz, /readyz and /metrics are served by default (every app's operations port). */
  opsPort: { variable: string; port: number };
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (entry.endsWith('.ts')) out.push(full);
  }
  return out;
}

function rawEnvReads(dirs: string[]): Set<string> {
  const names = new Set<string>();
  for (const dir of dirs) {
    for (const file of sourceFiles(path.join(repoRoot(), dir))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)) names.add(m[1]!);
    }
  }
  return names;
}

/** The operations port of each app is declared in its main.ts (`opsPort: { variable: ... }`). */
function opsPortVariable(app: AppName): { variable: string; default: number } | undefined {
  const main = readFileSync(path.join(repoRoot(), 'apps', app, 'src', 'main.ts'), 'utf8');
  const m = /opsPort:\s*\{\s*variable:\s*'([A-Z_]+)',\s*default:\s*(\d+)/.exec(main);
  return m ? { variable: m[1]!, default: Number(m[2]) } : undefined;
}

export function appSettings(app: AppName): AppSettings {
  const readers: Spec = { ...(baseConfigSpec as Spec), ...OWN_SPECS[app] };
  const ops = opsPortVariable(app);
  if (ops) Object.assign(readers, opsListenerSpec(ops));
  const secrets = new Set(
    Object.entries(readers)
      .filter(([, r]) => r.secret)
      .map(([name]) => name),
  );
  if (!ops) throw new Error(`apps/${app}/src/main.ts declares no opsPort: every app serves /readyz and /metrics on its operations port`);
  const opsPort = { variable: ops.variable, port: ops.default };
  return { readers, rawReads: rawEnvReads([...SHARED_SOURCES, `apps/${app}/src`]), secrets, opsPort };
}

export function readsVariable(settings: AppSettings, name: string): boolean {
  return name in settings.readers || settings.rawReads.has(name) || NODE_RUNTIME_VARIABLES.has(name);
}

/** The consumer group each consumer app joins, given its configuration. */
export function consumerGroupOf(app: 'matcher' | 'delivery-worker', config: Record<string, string>): string {
  if (app === 'delivery-worker') return workerGroupId(baseConfigSpec.KAFKA_TOPIC_PREFIX.parse(config.KAFKA_TOPIC_PREFIX));
  const prefix = baseConfigSpec.KAFKA_TOPIC_PREFIX.parse(config.KAFKA_TOPIC_PREFIX);
  return matcherConfigSpec.MATCHER_GROUP_ID.parse(config.MATCHER_GROUP_ID) ?? `${prefix}matcher`;
}
