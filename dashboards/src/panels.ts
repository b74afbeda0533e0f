// The panel kinds the dashboards use, with connect-sentinel's defaults (legends, stacking, table hygiene).

import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import {
  BarGaugeDisplayMode,
  BigValueColorMode,
  BigValueGraphMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  StackingConfigBuilder,
  StackingMode,
  TableCellDisplayMode,
  TableSortByFieldStateBuilder,
  VisibilityMode,
  VizLegendOptionsBuilder,
  VizOrientation,
  type TableCellOptions,
} from '@grafana/grafana-foundation-sdk/common';
import type { DynamicConfigValue, Threshold, ValueMapping } from '@grafana/grafana-foundation-sdk/dashboard';
import type { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { columnHeaders, organizeColumns, panel, thresholds, type Column, type PanelSpec } from './grafana.ts';

const LAST_VALUE = () => new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);

export function statPanel(
  spec: PanelSpec,
  query: DataqueryBuilder,
  options: { steps?: Threshold[]; mappings?: ValueMapping[] } = {},
): stat.PanelBuilder {
  const builder = panel(new stat.PanelBuilder(), spec, [query])
    .reduceOptions(LAST_VALUE())
    .graphMode(BigValueGraphMode.None)
    .colorMode(BigValueColorMode.Value)
    .thresholds(thresholds(options.steps ?? [{ value: null, color: 'text' }]));
  if (options.mappings !== undefined) builder.mappings(options.mappings);
  return builder;
}

export interface SeriesStyle {
  /** Series name (legend) → colour. */
  colors?: Record<string, string>;
  stacked?: boolean;
  min?: number;
  max?: number;
}

export function timeSeriesPanel(spec: PanelSpec, queries: DataqueryBuilder[], style: SeriesStyle = {}): timeseries.PanelBuilder {
  const builder = panel(new timeseries.PanelBuilder(), spec, queries)
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom))
    .fillOpacity(style.stacked === true ? 40 : 10)
    .stacking(new StackingConfigBuilder().mode(style.stacked === true ? StackingMode.Normal : StackingMode.None));
  if (style.min !== undefined) builder.min(style.min);
  if (style.max !== undefined) builder.max(style.max);
  for (const [name, color] of Object.entries(style.colors ?? {})) {
    builder.overrideByName(name, [{ id: 'color', value: { mode: 'fixed', fixedColor: color } }]);
  }
  return builder;
}

export function stateTimelinePanel(
  spec: PanelSpec,
  queries: DataqueryBuilder[],
  mappings: ValueMapping[],
): statetimeline.PanelBuilder {
  return panel(new statetimeline.PanelBuilder(), spec, queries)
    .mappings(mappings)
    .showValue(VisibilityMode.Never)
    .mergeValues(true)
    .fillOpacity(80)
    .thresholds(thresholds([{ value: null, color: 'text' }]));
}

export function barGaugePanel(spec: PanelSpec, query: DataqueryBuilder): bargauge.PanelBuilder {
  return panel(new bargauge.PanelBuilder(), spec, [query])
    .reduceOptions(LAST_VALUE())
    .displayMode(BarGaugeDisplayMode.Basic)
    .orientation(VizOrientation.Horizontal)
    .showUnfilled(true)
    .min(0)
    .thresholds(thresholds([{ value: null, color: 'blue' }]));
}

export interface TableOptions {
  columns: readonly Column[];
  /** Fields to drop, besides Time and Value. */
  hidden?: readonly string[];
  /** Keep the Value column (it must then be listed in `columns`). */
  showValue?: boolean;
  /** Extra per-column settings, e.g. data links. */
  fieldOverrides?: Record<string, DynamicConfigValue[]>;
  /** Value mappings of a `state` column, coloured as text. */
  stateMappings?: ValueMapping[];
  /** The column header the rows are sorted by, ascending. */
  sortBy?: string;
}

export function tablePanel(spec: PanelSpec, query: DataqueryBuilder, options: TableOptions): table.PanelBuilder {
  const hidden = ['Time', 'job', '__name__', ...(options.showValue === true ? [] : ['Value']), ...(options.hidden ?? [])];
  const builder = panel(new table.PanelBuilder(), spec, [query])
    .withTransformation(organizeColumns(options.columns, hidden))
    .filterable(true)
    .thresholds(thresholds([{ value: null, color: 'text' }]));
  const overrides = new Map<string, DynamicConfigValue[]>();
  for (const { field, properties } of columnHeaders(options.columns)) overrides.set(field, properties);
  for (const [field, properties] of Object.entries(options.fieldOverrides ?? {})) {
    overrides.set(field, [...(overrides.get(field) ?? []), ...properties]);
  }
  if (options.stateMappings !== undefined) {
    const colorText: TableCellOptions = { type: TableCellDisplayMode.ColorText };
    overrides.set('state', [
      ...(overrides.get('state') ?? []),
      { id: 'mappings', value: options.stateMappings },
      { id: 'custom.cellOptions', value: colorText },
    ]);
  }
  for (const [field, properties] of overrides) builder.overrideByName(field, properties);
  if (options.sortBy !== undefined) builder.sortBy([new TableSortByFieldStateBuilder().displayName(options.sortBy).desc(false)]);
  return builder;
}
