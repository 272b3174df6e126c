import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { metricNames } from './promql.js';

export const dashboardPath = fileURLToPath(new URL('../../grafana/hookstream-dashboard.json', import.meta.url));
export const alertsPath = fileURLToPath(new URL('../../prometheus/alerts.yaml', import.meta.url));

export interface Target {
  expr: string;
  refId: string;
  datasource?: { type?: string; uid?: string };
}
export interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
}
export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: string }[] };
}
export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}

export function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(dashboardPath, 'utf8')) as Dashboard;
}

export function loadAlerts(): RuleFile {
  return parse(readFileSync(alertsPath, 'utf8')) as RuleFile;
}

/** Every panel, including those nested in collapsed rows. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** Every PromQL expression of the dashboard and the rules, with where it comes from. */
export function observabilityQueries(): { where: string; expr: string }[] {
  const panels = allPanels(loadDashboard()).flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr })));
  const rules = loadAlerts().groups.flatMap((g) => g.rules.map((r) => ({ where: `rule ${r.alert ?? r.record}`, expr: r.expr })));
  return [...panels, ...rules];
}

/** metric name -> where it is used. */
export function metricsInUse(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const { where, expr } of observabilityQueries()) {
    for (const name of metricNames(expr)) used.set(name, [...(used.get(name) ?? []), where]);
  }
  return used;
}
