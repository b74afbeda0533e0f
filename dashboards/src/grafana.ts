// A thin layer over @grafana/grafana-foundation-sdk: every panel gets a title, a description, a unit, the templated
// datasource and a size; every query gets the datasource and a refId. The dashboard modules only say what to show.

import type { MonitoringConfig } from '../../alerts/src/config.ts';
import {
  AdHocVariableBuilder,
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  MappingType,
  QueryVariableBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  type AnnotationQueryBuilder,
  type DataTransformerConfig,
  type DynamicConfigValue,
  type Threshold,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';

export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/** What every SDK panel builder has in common, as far as these helpers use it. */
interface PanelBuilderLike {
  title(title: string): this;
  description(description: string): this;
  unit(unit: string): this;
  datasource(datasource: DataSourceRef): this;
  span(w: number): this;
  height(h: number): this;
  withTarget(target: DataqueryBuilder): this;
}

export interface PanelSpec {
  title: string;
  description: string;
  unit: string;
  /** Grid width (of 24) and height. */
  w: number;
  h: number;
}

/** Applies a PanelSpec and the queries (refIds A, B, …) to an SDK panel builder. */
export function panel<T extends PanelBuilderLike>(builder: T, spec: PanelSpec, queries: DataqueryBuilder[]): T {
  builder.title(spec.title).description(spec.description).unit(spec.unit).datasource(DATASOURCE).span(spec.w).height(spec.h);
  queries.forEach((query, i) => builder.withTarget(query.refId(String.fromCharCode(65 + i)).datasource(DATASOURCE)));
  return builder;
}

/** A range query for time series. */
export function rangeQuery(expr: string, legend = ''): DataqueryBuilder {
  const query = new DataqueryBuilder().expr(expr).range();
  return legend === '' ? query : query.legendFormat(legend);
}

/** An instant query: the current value, for stats, bar gauges and tables. */
export function instantQuery(expr: string, legend = ''): DataqueryBuilder {
  const query = new DataqueryBuilder().expr(expr).instant();
  return legend === '' ? query : query.legendFormat(legend);
}

/** An instant query whose labels become table columns. */
export function tableQuery(expr: string): DataqueryBuilder {
  return new DataqueryBuilder().expr(expr).instant().format(PromQueryFormat.Table);
}

export function thresholds(steps: Threshold[]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps);
}

/** Green at 0, red from 1 on: counts of things that should not exist. */
export const RED_ABOVE_ZERO = [
  { value: null, color: 'green' },
  { value: 1, color: 'red' },
];

/** Maps numbers or strings to a text and a colour. */
export function valueMappings(entries: ReadonlyArray<{ value: string; text: string; color: string }>): ValueMapping[] {
  const options = Object.fromEntries(entries.map((entry, index) => [entry.value, { text: entry.text, color: entry.color, index }]));
  return [{ type: MappingType.ValueToText, options }];
}

/** Table columns to show, in order, with their headers; Time, Value (unless listed) and everything else are hidden. */
export interface Column {
  field: string;
  header: string;
}

export function organizeColumns(columns: readonly Column[], hidden: readonly string[]): DataTransformerConfig {
  return {
    id: 'organize',
    options: {
      excludeByName: Object.fromEntries(hidden.map((field) => [field, true])),
      indexByName: Object.fromEntries(columns.map((column, index) => [column.field, index])),
      renameByName: {},
    },
  };
}

/** Overrides that give columns readable headers without renaming the fields data links refer to. */
export function columnHeaders(columns: readonly Column[]): Array<{ field: string; properties: DynamicConfigValue[] }> {
  return columns.map((column) => ({ field: column.field, properties: [{ id: 'displayName', value: column.header }] }));
}

export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus');
}

interface LabelVariableSpec {
  name: string;
  label: string;
  /** `label_values(<selector>, <name>)` */
  selector: string;
  multi: boolean;
  description: string;
  defaultValue?: string;
}

/** A variable listing a label's values; multi-select variables offer All as the regex `.+`. */
export function labelVariable(spec: LabelVariableSpec): QueryVariableBuilder {
  const query = `label_values(${spec.selector}, ${spec.name})`;
  const variable = new QueryVariableBuilder(spec.name)
    .label(spec.label)
    .description(spec.description)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalCaseInsensitiveAsc)
    .multi(spec.multi)
    .includeAll(spec.multi);
  if (spec.multi) variable.allValue('.+');
  if (spec.defaultValue !== undefined) variable.current({ text: spec.defaultValue, value: spec.defaultValue, selected: true });
  return variable;
}

/**
 * Ad hoc filters: label matchers Grafana adds to every query of the data source, such as `cluster` or `env` when one
 * Prometheus holds the series of several deployments (the group labels of the monitoring config, mixin-style).
 */
export function filtersVariable(): AdHocVariableBuilder {
  return new AdHocVariableBuilder('filters')
    .label('Filters')
    .description('Label filters added to every query, e.g. cluster or env when one Prometheus watches several deployments.')
    .datasource(DATASOURCE);
}

/** The `$job` matcher every query of both dashboards starts with. */
export const JOB = 'job=~"$job"';

/** The Prometheus jobs scraping connect-sentinel: the first variable of both dashboards, after the data source. */
export function jobVariable(defaultJob: string): QueryVariableBuilder {
  return labelVariable({
    name: 'job',
    label: 'Job',
    selector: 'kafka_connect_up',
    multi: true,
    description: 'Prometheus job of connect-sentinel.',
    defaultValue: defaultJob,
  });
}

/**
 * A link in the dashboard's header to another dashboard, carrying the time range and the variables: all of them, or
 * only the data source and the job when the other dashboard's cluster and connector take one value each (the
 * overview's "All" or several values would not fit them).
 */
export function dashboardLink(title: string, uid: string, carry: 'all' | 'datasourceAndJob'): DashboardLinkBuilder {
  const all = carry === 'all';
  return new DashboardLinkBuilder(title)
    .type(DashboardLinkType.Link)
    .url(all ? `/d/${uid}` : `/d/${uid}?\${datasource:queryparam}&\${job:queryparam}`)
    .icon('dashboard')
    .tooltip(title)
    .includeVars(all)
    .keepTime(true)
    .asDropdown(false)
    .targetBlank(false);
}

/** A data link from a table's `connector` column to the connector dashboard of that row. */
export function connectorDrillDown(connectorUid: string): DynamicConfigValue {
  const url =
    `/d/${connectorUid}?\${__url_time_range}&\${datasource:queryparam}&\${job:queryparam}` +
    // Names may hold `#`, `&` or spaces: percent-encoded, they reach the variables whole.
    '&var-connect_cluster=${__data.fields.connect_cluster:percentencode}&var-connector=${__value.raw:percentencode}';
  return { id: 'links', value: [{ title: 'Open the connector dashboard', url }] };
}

interface FrameSpec {
  title: string;
  uid: string;
  description: string;
  variables: Array<DatasourceVariableBuilder | QueryVariableBuilder | AdHocVariableBuilder>;
  annotation: AnnotationQueryBuilder;
  /** The other dashboard, linked from the header. */
  link: DashboardLinkBuilder;
}

/** What both dashboards share around their rows: title prefix, tags, refresh, time zone and range, read-only. */
export function dashboardFrame({ dashboards }: MonitoringConfig, spec: FrameSpec): DashboardBuilder {
  return new DashboardBuilder(`${dashboards.titlePrefix}${spec.title}`)
    .uid(spec.uid)
    .description(spec.description)
    .tags(dashboards.tags)
    .refresh(dashboards.refresh)
    .timezone(dashboards.timezone)
    .time({ from: 'now-6h', to: 'now' })
    .readonly()
    .variables(spec.variables)
    .annotation(spec.annotation)
    .link(spec.link);
}
