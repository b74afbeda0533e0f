// Golden expositions: each case renders to test/golden/<case>.prom and <case>.openmetrics, compared byte for byte.
// Order is part of the contract being tested (families in catalogue order, clusters by name, connectors and tasks
// in view order), so the comparison is exact rather than order-insensitive. Regenerate with UPDATE_GOLDEN=1.
// Every golden file also goes through promtool and the strict validator.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Exposition } from '../../src/metrics/exposition.ts';
import { createSelfMetrics } from '../../src/metrics/self.ts';
import type { ExpositionFormat } from '../../src/metrics/exposition-text.ts';
import { promtoolCheckMetrics, promtoolParseOpenMetrics } from '../metrics/promtool.ts';
import { samplesOf, validateExposition } from '../metrics/validator.ts';
import { GOLDEN_CASES, type GoldenCase } from './cases.ts';
import { plainBody } from '../metrics/bodies.ts';
import { renderFresh } from '../metrics/views.ts';

const DIR = import.meta.dirname;
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const EXTENSIONS: Record<ExpositionFormat, string> = { prometheus: 'prom', openmetrics: 'openmetrics' };

async function renderCase(golden: GoldenCase, format: ExpositionFormat): Promise<string> {
  const self = createSelfMetrics({ processMetrics: false, version: '0.1.0', nodejsVersion: '24.9.0' });
  golden.record?.(self);
  const exposition = new Exposition(self);
  for (const { view, restart } of golden.clusters) {
    exposition.setCluster(renderFresh(view, restart, { dropZeroStates: golden.dropZeroStates ?? false }));
  }
  return (await plainBody(exposition, format)).body.toString('utf8');
}

describe.each(GOLDEN_CASES)('golden $name ($description)', (golden) => {
  describe.each(['prometheus', 'openmetrics'] as const)('%s', (format) => {
    const path = join(DIR, `${golden.name}.${EXTENSIONS[format]}`);

    it('renders exactly the committed golden file', async () => {
      const body = await renderCase(golden, format);
      if (UPDATE) writeFileSync(path, body);
      expect(body).toBe(readFileSync(path, 'utf8'));
    });

    it('is a valid exposition: strict validator and promtool', () => {
      const body = readFileSync(path, 'utf8');
      expect(validateExposition(body, format)).toEqual([]);
      const tool = format === 'prometheus' ? promtoolCheckMetrics(body) : promtoolParseOpenMetrics(body);
      expect(tool).toEqual({ status: 0, output: '' });
    });
  });
});

describe('golden contents', () => {
  const body = (name: string) => readFileSync(join(DIR, `${name}.prom`), 'utf8');

  it('never exports a connector config value other than connector.class', () => {
    // Values from the `config` objects of the expanded captures, some of them the kind of thing a secret sits beside.
    for (const value of ['broker-us:9092', 'broker-europe:9092', 'sales_EUROPE', 'test-topic', 'another-topic']) {
      expect(body('captured-expanded')).not.toContain(value);
    }
    expect(body('captured-expanded')).toContain('connector_class="io.confluent.connect.replicator.ReplicatorSourceConnector"');
  });

  it('never exports trace text, only class names', () => {
    for (const name of ['captured-statuses', 'captured-expanded']) {
      expect(body(name)).not.toMatch(/\\tat |Caused by|ORA-03113/);
    }
    expect(body('captured-statuses')).toContain('root_cause="oracle.streams.StreamsException"');
  });

  it('leaves the task label off connector-level restart series', () => {
    const connectorRestarts = samplesOf(body('autorestart')).filter(
      (sample) => sample.labels['connector'] === 'orders-sink' && !('task' in sample.labels) && sample.name.startsWith('kafka_connect_autorestart_'),
    );
    expect(connectorRestarts.map((sample) => sample.name).sort()).toEqual([
      'kafka_connect_autorestart_exhausted',
      'kafka_connect_autorestart_last_decision_info',
      'kafka_connect_autorestart_last_restart_timestamp_seconds',
      'kafka_connect_autorestart_restarts_total',
      'kafka_connect_autorestart_skipped_total',
    ]);
  });

  it('has 5 task state series per task with full state sets and 1 with dropZeroStates', () => {
    const full = samplesOf(body('every-state')).filter((sample) => sample.name === 'kafka_connect_task_state');
    const dropped = samplesOf(body('drop-zero-states')).filter((sample) => sample.name === 'kafka_connect_task_state');
    const known = full.filter((sample) => sample.value === '1').length;
    expect(full.length).toBe(5 * 11);
    expect(known).toBe(9);
    expect(dropped.length).toBe(known);
    expect(dropped.every((sample) => sample.value === '1')).toBe(true);
  });
});
