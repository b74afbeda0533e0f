// The committed dashboards: valid against Grafana's dashboard schema, lint-clean by the rules of grafana's
// dashboard-linter (ported), and every query, variable and rule expression valid PromQL (lezer-promql).

import { readFileSync } from 'node:fs';
import { parser } from '@prometheus-io/lezer-promql';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultConfig } from '../../alerts/src/config.ts';
import { OUTPUT_PATHS } from '../../tools/monitoring/generate.ts';
import {
  contentPanels,
  DASHBOARD_FILES,
  dashboardQueries,
  FIXTURE_VARIABLES,
  loadDashboard,
  substitute,
  variableQueries,
  type DashboardKind,
  type PanelJson,
} from './dashboard-queries.ts';
import { deriveDashboardSchema, installedSchemaVersion, schemaPath } from './grafana-schema.ts';

const KINDS: DashboardKind[] = ['overview', 'connector'];
const TIMING = { rateInterval: '5m', range: '1h', interval: '1m' };

/** Grafana unit ids the dashboards may use. */
const KNOWN_UNITS = new Set(['none', 'short', 's', 'ms', 'percentunit', 'percent', 'bytes', 'reqps', 'ops', 'opm', 'dateTimeAsIso', 'dateTimeFromNow']);

function syntaxErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`at ${node.from}: ${JSON.stringify(expr.slice(Math.max(0, node.from - 20), node.to + 20))}`);
    },
  });
  return errors;
}

describe('the Grafana dashboard schema', () => {
  it('is the one the installed @grafana/schema derives', () => {
    const committed = readFileSync(schemaPath(installedSchemaVersion()), 'utf8');
    expect(committed).toBe(deriveDashboardSchema());
  });
});

describe.each(KINDS)('the %s dashboard', (kind) => {
  const dashboard = loadDashboard(DASHBOARD_FILES[kind]);
  const panels = contentPanels(dashboard);

  it('validates against the dashboard schema, which rejects a broken copy', () => {
    const schema = JSON.parse(readFileSync(schemaPath(installedSchemaVersion()), 'utf8')) as object;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const valid = validate(dashboard);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    const broken = structuredClone(dashboard) as unknown as { schemaVersion?: number; panels: Array<{ gridPos: { w: unknown } }> };
    delete broken.schemaVersion;
    (broken.panels[1] as { gridPos: { w: unknown } }).gridPos.w = 'wide';
    expect(validate(broken)).toBe(false);
    expect((validate.errors ?? []).map((error) => error.instancePath || error.params)).toContainEqual('/panels/1/gridPos/w');
  });

  it('has a stable uid of at most 40 characters, a prefixed title and is read-only', () => {
    const uid = kind === 'overview' ? defaultConfig.dashboards.overviewUid : defaultConfig.dashboards.connectorUid;
    expect(dashboard.uid).toBe(uid);
    expect(dashboard.uid.length).toBeLessThanOrEqual(40);
    expect(dashboard.title.startsWith(defaultConfig.dashboards.titlePrefix)).toBe(true);
    expect(dashboard.editable).toBe(false);
  });

  it('has one Prometheus datasource variable, job, connect_cluster and connector variables refreshed with the time range, and ad hoc filters', () => {
    const variables = dashboard.templating.list;
    const datasources = variables.filter((variable) => variable.type === 'datasource');
    expect(datasources).toHaveLength(1);
    expect(datasources[0]).toMatchObject({ name: 'datasource', label: 'Data source', query: 'prometheus' });
    expect(variables.map((variable) => variable.name)).toEqual(['datasource', 'job', 'connect_cluster', 'connector', 'filters']);
    // Ad hoc filters on the same data source: extra group labels such as cluster or env, without editing any query.
    expect(variables.at(-1)).toMatchObject({ type: 'adhoc', datasource: { uid: '${datasource}' } });
    for (const variable of variables.filter((v) => v.type === 'query')) {
      expect(variable.refresh, variable.name).toBe(2);
      expect(variable.datasource?.uid, variable.name).toBe('${datasource}');
    }
  });

  it('has a title, a description, a known unit and the templated datasource on every panel', () => {
    expect(panels.length).toBeGreaterThan(10);
    for (const panel of panels) {
      expect(panel.title, JSON.stringify(panel.gridPos)).toBeTruthy();
      expect(panel.description, panel.title).toMatch(/^\S.*\.$/s);
      expect(KNOWN_UNITS, panel.title).toContain(panel.fieldConfig?.defaults?.unit);
      expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
    }
    const titles = panels.map((panel) => panel.title);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it('sets datasource, refId and a job matcher on every query', () => {
    for (const panel of panels) {
      const refIds = (panel.targets ?? []).map((target) => target.refId);
      expect(refIds.length, panel.title).toBeGreaterThan(0);
      expect(new Set(refIds).size, panel.title).toBe(refIds.length);
      for (const target of panel.targets ?? []) {
        expect(target.datasource?.uid, panel.title).toBe('${datasource}');
        expect(target.refId, panel.title).toMatch(/^[A-Z]$/);
        expect(target.expr, panel.title).toContain('job=~"$job"');
      }
    }
    for (const annotation of dashboard.annotations.list ?? []) expect(annotation.expr).toContain('job=~"$job"');
  });

  it('uses $__rate_interval for rates ($__range only in instant queries) and counters only inside them', () => {
    for (const query of dashboardQueries(dashboard)) {
      for (const match of query.expr.matchAll(/\b(rate|irate|increase)\([^[]*\[([^\]]+)\]/g)) {
        const allowed = query.target?.instant === true ? ['$__rate_interval', '$__range'] : ['$__rate_interval'];
        expect(allowed, `${query.where}: ${match[0]}`).toContain(match[2]);
      }
      for (const match of query.expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*_total)\b/g)) {
        expect(query.expr.slice(0, match.index), `${query.where}: ${match[1]}`).toMatch(/\b(rate|irate|increase|changes)\($/);
      }
    }
  });

  it('makes tables from instant queries in table format', () => {
    for (const panel of panels.filter((p) => p.type === 'table')) {
      for (const target of panel.targets ?? []) {
        expect(target.instant, panel.title).toBe(true);
        expect(target.format, panel.title).toBe('table');
      }
    }
  });

  it('lays panels out on the 24-column grid without overlaps', () => {
    const boxes: Array<{ title: string; x: number; y: number; w: number; h: number }> = dashboard.panels.map((panel: PanelJson) => ({
      title: panel.title ?? panel.type,
      ...panel.gridPos,
    }));
    for (const box of boxes) {
      expect(box.x + box.w, box.title).toBeLessThanOrEqual(24);
      expect(box.w * box.h, box.title).toBeGreaterThan(0);
    }
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap, `${a.title} overlaps ${b.title}`).toBe(false);
      }
    }
  });

  it('has only syntactically valid PromQL in its queries, variables and annotations', () => {
    const values = { ...TIMING, variables: FIXTURE_VARIABLES[kind] };
    const expressions = [
      ...dashboardQueries(dashboard).map((query) => ({ where: query.where, expr: substitute(query.expr, values) })),
      ...variableQueries(dashboard).map((variable) => ({ where: `variable ${variable.name}`, expr: substitute(variable.selector, values) })),
    ];
    for (const { where, expr } of expressions) expect(syntaxErrors(expr), `${where}: ${expr}`).toEqual([]);
  });
});

describe('the overview\'s tables of connectors and tasks by state', () => {
  it('come FAILED first, then the rest not running, each sorted by connector', () => {
    const panels = contentPanels(loadDashboard(DASHBOARD_FILES.overview));
    const titles = panels.map((panel) => panel.title ?? '');
    const tables = panels.filter((panel) => /^(Connectors|Tasks) (FAILED|neither)/.test(panel.title ?? ''));
    expect(tables.map((panel) => panel.title?.split(' (')[0])).toEqual(['Connectors FAILED', 'Tasks FAILED', 'Connectors neither RUNNING nor FAILED', 'Tasks neither RUNNING nor FAILED']);
    // Right under the health row, before the time series.
    expect(titles.indexOf('Tasks FAILED')).toBeLessThan(titles.indexOf('Task states'));
    for (const table of tables) expect(table.options?.sortBy, table.title).toEqual([{ displayName: 'Connector', desc: false }]);
  });
});

describe('links to the connector dashboard', () => {
  it('from the overview\'s header carry the data source and job only, never "All" into its single-value variables', () => {
    const overview = loadDashboard(DASHBOARD_FILES.overview);
    const connector = loadDashboard(DASHBOARD_FILES.connector);
    const single = connector.templating.list.filter((variable) => variable.multi === false).map((variable) => variable.name);
    expect(single).toEqual(expect.arrayContaining(['connect_cluster', 'connector']));
    expect(overview.links).toEqual([expect.objectContaining({ url: '/d/connect-sentinel-connector?${datasource:queryparam}&${job:queryparam}', includeVars: false })]);
  });

  it('pass the row\'s cluster and connector percent-encoded, so names with # or & arrive whole', () => {
    const text = readFileSync(new URL(`../../${DASHBOARD_FILES.overview}`, import.meta.url), 'utf8');
    const urls = [...text.matchAll(/"url": "(\/d\/[^"]*var-connector=[^"]*)"/g)].map((match) => match[1]!);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) {
      expect(url).toContain('var-connect_cluster=${__data.fields.connect_cluster:percentencode}');
      expect(url).toContain('var-connector=${__value.raw:percentencode}');
    }
  });
});

describe('lezer-promql', () => {
  it('finds the syntax errors this test relies on it to find', () => {
    expect(syntaxErrors('sum(rate(x_total[5m])')).not.toEqual([]);
    expect(syntaxErrors('x{job=~"a"} offset')).not.toEqual([]);
    expect(syntaxErrors('sum by (job) (rate(x_total[5m]))')).toEqual([]);
  });

  it('parses every rule expression', () => {
    const groups = (parse(readFileSync(new URL(`../../${OUTPUT_PATHS.rules}`, import.meta.url), 'utf8')) as { groups: Array<{ rules: Array<{ expr: string }> }> }).groups;
    const exprs = groups.flatMap((group) => group.rules.map((rule) => rule.expr));
    expect(exprs.length).toBe(24);
    for (const expr of exprs) expect(syntaxErrors(expr), expr).toEqual([]);
  });
});
