// docs/metrics.md documents exactly the catalogue: every metric once, with the same type, labels and stability,
// example queries that parse as PromQL and name only real metrics, and the per-instance series counts the
// renderer produces.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { CONNECT_ENDPOINTS } from '../../src/domain/endpoint.ts';
import { SKIP_REASONS } from '../../src/domain/model.ts';
import { ALL_METRICS, CONNECTOR_FAMILIES, POLL_ERROR_REASONS, type PollFamily } from '../../src/metrics/catalogue.ts';
import { samplesOf } from './validator.ts';
import { connector, renderCluster, task, view } from './views.ts';

const DOC = readFileSync(join(import.meta.dirname, '../../docs/metrics.md'), 'utf8');

interface DocumentedMetric {
  name: string;
  type: string | undefined;
  labels: string[];
  labelsLine: string;
  stability: string | undefined;
  queries: string[];
}

function documentedMetrics(): DocumentedMetric[] {
  const sections = DOC.split(/^### /m).slice(1);
  return sections
    .map((section) => {
      const heading = /^`([a-z0-9_]+)`\n/.exec(section);
      if (heading === null) return undefined;
      const field = (key: string) => new RegExp(`^- ${key}: (.*)$`, 'm').exec(section)?.[1];
      const labelsLine = field('Labels') ?? '';
      return {
        name: heading[1] ?? '',
        type: field('Type'),
        labels: labelsLine === 'none' ? [] : [...labelsLine.matchAll(/`([a-z_]+)`/g)].map((match) => match[1] ?? ''),
        labelsLine,
        stability: field('Stability'),
        queries: [...section.matchAll(/```promql\n([\s\S]*?)```/g)].map((match) => match[1] ?? ''),
      };
    })
    .filter((metric): metric is DocumentedMetric => metric !== undefined);
}

describe('docs/metrics.md', () => {
  const documented = documentedMetrics();

  it('documents every metric of the catalogue once and nothing else', () => {
    const names = documented.map((metric) => metric.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(ALL_METRICS.map((metric) => metric.name).sort());
  });

  it.each(ALL_METRICS.map((metric) => [metric.name, metric] as const))('documents %s with its type, labels and stability', (name, metric) => {
    const doc = documented.find((entry) => entry.name === name);
    expect(doc?.type).toBe(metric.type);
    expect(doc?.labels).toEqual(metric.labels);
    expect(doc?.stability).toBe(metric.stability);
    for (const label of metric.optionalLabels) expect(doc?.labelsLine).toContain(`\`${label}\` (absent`);
  });

  it('gives each metric an example query that parses as PromQL and names only real metrics', () => {
    const known = new Set(ALL_METRICS.map((metric) => metric.name));
    for (const metric of documented) {
      expect(metric.queries.length, metric.name).toBeGreaterThan(0);
      expect(metric.queries.join('\n'), metric.name).toContain(metric.name);
      // A block holds one or more queries, each after its own comment line.
      const expressions = metric.queries.flatMap((block) => block.split(/^#.*$/m)).map((text) => text.trim()).filter(Boolean);
      for (const expression of expressions) {
        const errors: number[] = [];
        parser.parse(expression).iterate({
          enter: (node) => {
            if (node.type.isError) errors.push(node.from);
          },
        });
        expect(errors, `${metric.name}: ${expression}`).toEqual([]);
        for (const [used] of expression.matchAll(/\bkafka_connect_[a-z0-9_]+/g)) expect(known, expression).toContain(used);
      }
    }
  });

  it('states the per-instance series counts the renderer produces, in both modes', () => {
    const rows = new Map(
      [...DOC.matchAll(/^\| (connector|task) \| (\d+): .* \| (\d+): .* \|$/gm)].map((match) => [match[1], [Number(match[2]), Number(match[3])]]),
    );
    const count = (dropZeroStates: boolean, families: PollFamily[]) => {
      const rendered = renderCluster(view('c', [connector('x', 'running', [task(0, 'running')])]), undefined, { dropZeroStates });
      return families.reduce((sum, family) => sum + samplesOf(rendered.families.get(family) ?? '').length, 0);
    };
    const connectorFamilies: PollFamily[] = CONNECTOR_FAMILIES.filter((family) => family.startsWith('connector'));
    const taskFamilies: PollFamily[] = CONNECTOR_FAMILIES.filter((family) => family.startsWith('task'));
    expect(connectorFamilies.length + taskFamilies.length).toBe(CONNECTOR_FAMILIES.length);
    expect(rows.get('connector')).toEqual([count(false, connectorFamilies), count(true, connectorFamilies)]);
    expect(rows.get('task')).toEqual([count(false, taskFamilies), count(true, taskFamilies)]);
  });

  it.each([
    ['kafka_connect_autorestart_skipped_total', SKIP_REASONS],
    ['kafka_connect_exporter_poll_errors_total', POLL_ERROR_REASONS],
    ['kafka_connect_exporter_rest_requests_total', CONNECT_ENDPOINTS],
  ] as const)('lists every label value of the bounded sets of %s', (name, values) => {
    const section = DOC.split(/^### /m).find((text) => text.startsWith(`\`${name}\``)) ?? '';
    for (const value of values) expect(section).toContain(`\`${value}\``);
  });
});
