import { exposedMetrics, isExported, labelRequirements, metricNames, sampleLabels } from './support/promql.js';
import { allPanels, loadAlerts, loadDashboard, metricsInUse } from './support/observability.js';

describe('metric names in PromQL', () => {
  it('keeps metric names and drops functions, labels, ranges, grouping, keywords and variables', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le) (rate(a_seconds_bucket{route=~"/v1/.*", x="by (y)"}[$__rate_interval]))) / on (group) group_left (z) b_total offset 1h > bool 1e3',
      ),
    ).toEqual(['a_seconds_bucket', 'b_total']);
    expect(metricNames('sum(rate(c_total[5m])) by (group) and max without (pod) (d) unless e:recorded')).toEqual(['c_total', 'd', 'e:recorded']);
  });

  it('finds the labels a query needs on each metric', () => {
    expect(
      labelRequirements(
        'sum by (group, instance) (max by (group, topic, partition) (lag{topic!~"a{1}"})) > 1 and on (group) min by (group) (since) / sum(rate(x_total{status=~"5.."}[5m]))',
      ),
    ).toEqual([
      { metric: 'lag', label: 'topic' },
      { metric: 'x_total', label: 'status' },
      { metric: 'lag', label: 'group' },
      { metric: 'lag', label: 'group' },
      { metric: 'lag', label: 'topic' },
      { metric: 'lag', label: 'partition' },
      { metric: 'since', label: 'group' },
    ]);
    const seen = sampleLabels('# TYPE a counter\na_total{x="1",y="q\\"z"} 3\nb 1\nh_bucket{le="+Inf"} 0\n');
    expect([...seen.get('a_total')!]).toEqual(['x', 'y']);
    expect([...seen.get('b')!]).toEqual([]);
    expect([...seen.get('h_bucket')!]).toEqual(['le']);
  });

  it('recognises histogram series by their family and nothing else', () => {
    const exported = exposedMetrics('# HELP h x\n# TYPE h histogram\nh_bucket{le="1"} 0\n# TYPE c_total counter\nc_total 1\n# TYPE s summary\n');
    expect(isExported('h_bucket', exported)).toBe(true);
    expect(isExported('h_count', exported)).toBe(true);
    expect(isExported('c_total', exported)).toBe(true);
    expect(isExported('c_total_count', exported)).toBe(false);
    expect(isExported('s_bucket', exported)).toBe(false);
    expect(isExported('s_sum', exported)).toBe(true);
    expect(isExported('missing', exported)).toBe(false);
  });
});

describe('Grafana dashboard', () => {
  const dashboard = loadDashboard();
  const panels = allPanels(dashboard);
  const graphs = panels.filter((p) => p.type !== 'row');

  it('is a current-schema dashboard whose queries all go to the ${DS_PROMETHEUS} data source', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', query: 'prometheus' }));
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const p of graphs) {
      expect(`${p.title}: ${p.datasource?.uid}`).toBe(`${p.title}: \${DS_PROMETHEUS}`);
      expect(p.targets?.length).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(t.datasource?.uid).toBe('${DS_PROMETHEUS}');
    }
  });

  it('lays panels out on the 24-column grid without overlaps', () => {
    for (const a of panels) expect(a.gridPos.x + a.gridPos.w).toBeLessThanOrEqual(24);
    for (const a of panels) {
      for (const b of panels) {
        if (a === b) continue;
        const overlap =
          a.gridPos.x < b.gridPos.x + b.gridPos.w &&
          b.gridPos.x < a.gridPos.x + a.gridPos.w &&
          a.gridPos.y < b.gridPos.y + b.gridPos.h &&
          b.gridPos.y < a.gridPos.y + a.gridPos.h;
        expect(`${a.title} / ${b.title}: ${overlap}`).toBe(`${a.title} / ${b.title}: false`);
      }
    }
  });

  it('covers ingest, fan-out, delivery outcomes and latency, retries, dead letters, lag, buggy webhooks, HTTP and processes', () => {
    const used = metricsInUse();
    const inPanels = (name: string) => (used.get(name) ?? []).some((w) => w.startsWith('panel'));
    for (const name of [
      'hookstream_gateway_events_accepted_total',
      'hookstream_gateway_events_rejected_total',
      'hookstream_gateway_http_requests_total',
      'hookstream_gateway_http_request_duration_seconds_bucket',
      'hookstream_matcher_fanout_bucket',
      'hookstream_worker_attempts_total',
      'hookstream_worker_attempt_duration_seconds_bucket',
      'hookstream_worker_retries_scheduled_total',
      'hookstream_worker_dead_letters_total',
      'hookstream_worker_webhooks_marked_buggy_total',
      'hookstream_consumer_lag',
      'hookstream_consumer_seconds_since_last_commit',
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
    ]) {
      expect(`${name}: ${inPanels(name)}`).toBe(`${name}: true`);
    }
  });
});

describe('Prometheus alert rules', () => {
  const rules = loadAlerts().groups.flatMap((g) => g.rules);

  it('are well-formed alerting rules with a severity and a summary', () => {
    expect(rules.length).toBeGreaterThan(0);
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
    for (const r of rules) {
      expect(r.alert).toMatch(/^Hookstream[A-Za-z0-9]+$/);
      expect(['warning', 'critical']).toContain(r.labels?.severity);
      expect(r.annotations?.summary).toBeTruthy();
      if (r.for !== undefined) expect(r.for).toMatch(/^\d+[smh]$/);
      let depth = 0;
      for (const ch of r.expr.replace(/"(?:[^"\\]|\\.)*"/g, '')) {
        depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
        expect(depth).toBeGreaterThanOrEqual(0);
      }
      expect(`${r.alert} parentheses: ${depth}`).toBe(`${r.alert} parentheses: 0`);
    }
  });

  it('watch growing lag, stalled consumers, dead letters, buggy webhooks, gateway 5xx and rejected events', () => {
    const uses = (metric: string, extra: RegExp = /.*/) => rules.filter((r) => metricNames(r.expr).includes(metric) && extra.test(r.expr)).map((r) => r.alert);
    expect(uses('hookstream_consumer_lag', /delta\(/)).toContain('HookstreamConsumerLagGrowing');
    expect(uses('hookstream_consumer_seconds_since_last_commit')).toContain('HookstreamConsumerStalled');
    expect(uses('hookstream_worker_dead_letters_total')).toContain('HookstreamDeadLetterRate');
    expect(uses('hookstream_worker_webhooks_marked_buggy_total')).toContain('HookstreamWebhooksMarkedBuggy');
    expect(uses('hookstream_gateway_http_requests_total', /status=~"5\.\."/)).toContain('HookstreamGateway5xxRate');
    expect(uses('hookstream_gateway_events_rejected_total')).toContain('HookstreamEventsRejectedSpike');
  });
});
