// Reads the committed dashboards the way Grafana would: panels, their queries, variables and annotations, and
// substitutes Grafana's variables so that the result is plain PromQL.

import { readFileSync } from 'node:fs';
import { OUTPUT_PATHS } from '../../tools/monitoring/generate.ts';

export interface DashboardJson {
  uid: string;
  title: string;
  editable?: boolean;
  templating: { list: VariableJson[] };
  annotations: { list?: AnnotationJson[] };
  panels: PanelJson[];
  links?: Array<{ url?: string; includeVars?: boolean }>;
}

export interface VariableJson {
  name: string;
  type: string;
  query?: unknown;
  refresh?: number;
  multi?: boolean;
  includeAll?: boolean;
  datasource?: { type?: string; uid?: string };
  label?: string;
}

export interface AnnotationJson {
  name: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
}

export interface TargetJson {
  expr: string;
  refId?: string;
  datasource?: { type?: string; uid?: string };
  instant?: boolean;
  range?: boolean;
  format?: string;
  legendFormat?: string;
}

export interface PanelJson {
  type: string;
  title?: string;
  description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type?: string; uid?: string };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: TargetJson[];
  panels?: PanelJson[];
  transformations?: unknown[];
  options?: { sortBy?: Array<{ displayName: string; desc?: boolean }> };
}

const REPO = new URL('../../', import.meta.url);

export type DashboardKind = 'overview' | 'connector';

export const DASHBOARD_FILES: Record<DashboardKind, string> = { overview: OUTPUT_PATHS.overview, connector: OUTPUT_PATHS.connector };

export function loadDashboard(path: string): DashboardJson {
  return JSON.parse(readFileSync(new URL(path, REPO), 'utf8')) as DashboardJson;
}

/** Every panel that is not a row, including panels inside collapsed rows. */
export function contentPanels(dashboard: DashboardJson): PanelJson[] {
  return dashboard.panels.flatMap((panel) => (panel.type === 'row' ? (panel.panels ?? []) : [panel]));
}

export interface LocatedQuery {
  where: string;
  expr: string;
  target?: TargetJson;
}

/** Every PromQL expression of a dashboard: panel targets and annotations (variables are separate). */
export function dashboardQueries(dashboard: DashboardJson): LocatedQuery[] {
  const targets = contentPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ where: `${dashboard.uid} / ${panel.title} / ${target.refId}`, expr: target.expr, target })),
  );
  const annotations = (dashboard.annotations.list ?? [])
    .filter((annotation) => annotation.expr !== undefined)
    .map((annotation) => ({ where: `${dashboard.uid} / annotation ${annotation.name}`, expr: annotation.expr as string }));
  return [...targets, ...annotations];
}

/** `label_values(<selector>, <label>)` of the query variables. */
export function variableQueries(dashboard: DashboardJson): Array<{ name: string; selector: string; label: string }> {
  return dashboard.templating.list
    .filter((variable) => variable.type === 'query')
    .map((variable) => {
      const match = /^label_values\((.*), *([a-zA-Z_][a-zA-Z0-9_]*)\)$/s.exec(String(variable.query));
      if (match === null) throw new Error(`variable ${variable.name}: not a label_values() query: ${String(variable.query)}`);
      return { name: variable.name, selector: match[1] as string, label: match[2] as string };
    });
}

export interface Substitutions {
  variables: Record<string, string>;
  rateInterval: string;
  range: string;
  interval: string;
}

/** Replaces `$__rate_interval`, `$__range`, `$__interval` and `$var` / `${var}` / `${var:format}`. */
export function substitute(expr: string, values: Substitutions): string {
  const builtins: Record<string, string> = {
    __rate_interval: values.rateInterval,
    __range: values.range,
    __interval: values.interval,
  };
  return expr.replace(/\$\{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-z]+)?\}|\$([a-zA-Z_][a-zA-Z0-9_]*)/g, (whole, braced?: string, bare?: string) => {
    const name = (braced ?? bare) as string;
    const value = builtins[name] ?? values.variables[name];
    if (value === undefined) throw new Error(`no value for ${whole} in ${expr}`);
    return value;
  });
}

/** Values that select the failing fixture fleet: everything on the overview, orders-sink on the drill-down. */
export const FIXTURE_VARIABLES: Record<DashboardKind, Record<string, string>> = {
  overview: { job: 'connect-sentinel', connect_cluster: '.+', connector: '.+' },
  connector: { job: 'connect-sentinel', connect_cluster: 'prod', connector: 'orders-sink' },
};
