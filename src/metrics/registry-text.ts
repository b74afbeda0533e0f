// Writes a prom-client registry in either text format. prom-client's own writer cannot serve both formats from one
// registry (rendering OpenMetrics renames its counters in place), so connect-sentinel reads the registry's values
// and writes them with the same primitives as the per-poll renderer.

import type { Registry } from 'prom-client';
import { ALL_METRICS } from './catalogue.ts';
import { escapeLabelValue, familyHeader, familyName, formatValue, type ExpositionFormat } from './exposition-text.ts';

type MetricJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>[number];
type SampleJson = MetricJson['values'][number] & { metricName?: string };

/** Catalogue metrics come first and in catalogue order whatever order they were registered in; the rest follow. */
const CATALOGUE_ORDER = new Map(ALL_METRICS.map((definition, index) => [definition.name, index]));

export async function registryText(registry: Registry, format: ExpositionFormat): Promise<string> {
  const metrics = await registry.getMetricsAsJSON();
  const ordered = metrics
    .map((metric, index) => ({ metric, rank: CATALOGUE_ORDER.get(metric.name) ?? ALL_METRICS.length + index }))
    .sort((a, b) => a.rank - b.rank);
  let text = '';
  for (const { metric } of ordered) text += familyText(metric, format);
  return text;
}

function familyText(metric: MetricJson, format: ExpositionFormat): string {
  // prom-client's typings declare `type` as a numeric enum; at run time it is the type's name.
  const description = { name: metric.name, help: metric.help, type: String(metric.type) };
  const family = familyName(description, format);
  // OpenMetrics counter samples are the family name plus `_total`; histogram samples carry their own suffixes.
  const counterSample = format === 'openmetrics' && description.type === 'counter' ? `${family}_total` : undefined;
  let text = familyHeader(description, format);
  for (const sample of metric.values as SampleJson[]) {
    const name = counterSample ?? sample.metricName ?? metric.name;
    text += `${name}${labelText(sample.labels)} ${formatValue(sample.value)}\n`;
  }
  return text;
}

function labelText(labels: Record<string, string | number | undefined>): string {
  let text = '';
  for (const [name, value] of Object.entries(labels)) {
    if (value === undefined) continue;
    text += `${text === '' ? '' : ','}${name}="${escapeLabelValue(typeof value === 'number' ? formatValue(value) : value)}"`;
  }
  return text === '' ? '' : `{${text}}`;
}
