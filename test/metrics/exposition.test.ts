import { describe, expect, it } from 'vitest';
import { Exposition } from '../../src/metrics/exposition.ts';
import { createSelfMetrics } from '../../src/metrics/self.ts';
import { promtoolCheckMetrics, promtoolParseOpenMetrics } from './promtool.ts';
import { samplesOf, validateExposition } from './validator.ts';
import { connector, countingReads, task, view, renderFresh } from './views.ts';
import { plainBody } from './bodies.ts';

const OPTIONS = { dropZeroStates: false };

function setup() {
  const self = createSelfMetrics({ processMetrics: false, version: '1.2.3', nodejsVersion: '24.9.0' });
  return { self, exposition: new Exposition(self) };
}

async function text(exposition: Exposition, format: 'prometheus' | 'openmetrics' = 'prometheus'): Promise<string> {
  return (await plainBody(exposition, format)).body.toString();
}

describe('Exposition', () => {
  it('answers with the content type of each format', async () => {
    const { exposition } = setup();
    expect((await plainBody(exposition, 'prometheus')).contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect((await plainBody(exposition, 'openmetrics')).contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
  });

  it('serves only the self-metrics before any poll, valid in both formats', async () => {
    const { exposition } = setup();
    const prometheus = await text(exposition);
    expect(prometheus).toContain('kafka_connect_exporter_build_info{version="1.2.3",nodejs_version="24.9.0"} 1\n');
    expect(prometheus).not.toContain('kafka_connect_up');
    expect(validateExposition(prometheus, 'prometheus')).toEqual([]);
    expect(validateExposition(await text(exposition, 'openmetrics'), 'openmetrics')).toEqual([]);
  });

  it('ends OpenMetrics with exactly one # EOF and writes counter families without _total', async () => {
    const { self, exposition } = setup();
    self.restRequest('prod', 'connectors', '200');
    exposition.setCluster(renderFresh(view('prod', [connector('x', 'running')]), undefined, OPTIONS));
    const body = await text(exposition, 'openmetrics');
    expect(body.endsWith('\n# EOF\n')).toBe(true);
    expect(body.match(/# EOF/g)).toHaveLength(1);
    expect(body).toContain('# TYPE kafka_connect_exporter_rest_requests counter\n');
    expect(body).toContain('kafka_connect_exporter_rest_requests_total{connect_cluster="prod",endpoint="connectors",code="200"} 1\n');
    const prometheus = await text(exposition, 'prometheus');
    expect(prometheus).not.toContain('# EOF');
    expect(prometheus).toContain('# TYPE kafka_connect_exporter_rest_requests_total counter\n');
  });

  it('writes each family once with the lines of every cluster, clusters by name', async () => {
    const { exposition } = setup();
    exposition.setCluster(renderFresh(view('zeta', [connector('z', 'running')]), undefined, OPTIONS));
    exposition.setCluster(renderFresh(view('alpha', [connector('a', 'failed')]), undefined, OPTIONS));
    const body = await text(exposition);
    expect(body.match(/# TYPE kafka_connect_connector_info gauge/g)).toHaveLength(1);
    expect(samplesOf(body).filter((sample) => sample.name === 'kafka_connect_up').map((sample) => sample.labels['connect_cluster'])).toEqual([
      'alpha',
      'zeta',
    ]);
    expect(validateExposition(body, 'prometheus')).toEqual([]);
    expect(validateExposition(await text(exposition, 'openmetrics'), 'openmetrics')).toEqual([]);
  });

  it('replaces a cluster at each poll: a deleted connector disappears', async () => {
    const { exposition } = setup();
    exposition.setCluster(renderFresh(view('prod', [connector('kept', 'running'), connector('deleted', 'running', [task(0, 'running')])]), undefined, OPTIONS));
    expect(await text(exposition)).toContain('connector="deleted"');
    exposition.setCluster(renderFresh(view('prod', [connector('kept', 'running')]), undefined, OPTIONS));
    const body = await text(exposition);
    expect(body).not.toContain('connector="deleted"');
    expect(body).not.toContain('kafka_connect_task_state');
    expect(body).toContain('connector="kept"');
  });

  it('drops every series of a deleted cluster, and ignores deleting an unknown one', async () => {
    const { exposition } = setup();
    exposition.setCluster(renderFresh(view('prod', [connector('x', 'running')]), undefined, OPTIONS));
    exposition.setCluster(renderFresh(view('staging', [connector('y', 'running')]), undefined, OPTIONS));
    exposition.deleteCluster('prod');
    exposition.deleteCluster('never-known');
    const clusters = new Set(samplesOf(await text(exposition)).map((sample) => sample.labels['connect_cluster']).filter(Boolean));
    expect([...clusters]).toEqual(['staging']);
  });

  it('treats cluster names that encode alike as one cluster, so no series repeats', async () => {
    const { exposition } = setup();
    exposition.setCluster(renderFresh(view('a\ud800', [connector('x', 'running')]), undefined, OPTIONS));
    exposition.setCluster(renderFresh(view('a\udc00', [connector('y', 'running')]), undefined, OPTIONS));
    const body = await text(exposition);
    expect(validateExposition(body, 'prometheus')).toEqual([]);
    expect(body).toContain('connector="y"');
    expect(body).not.toContain('connector="x"');
  });

  it('works out the cluster part once per change, not once per scrape, and again after setCluster', async () => {
    const { exposition } = setup();
    const first = countingReads(renderFresh(view('prod', [connector('x', 'running')]), undefined, OPTIONS));
    exposition.setCluster(first.rendered);
    const body = await text(exposition);
    const readsAfterFirstScrape = first.reads();
    expect(readsAfterFirstScrape).toBeGreaterThan(0);
    expect(await text(exposition)).toBe(body);
    expect(await text(exposition, 'openmetrics')).toContain('connector="x"');
    expect(first.reads()).toBe(readsAfterFirstScrape);

    exposition.setCluster(renderFresh(view('prod', [connector('renamed', 'running')]), undefined, OPTIONS));
    const after = await text(exposition);
    expect(after).toContain('connector="renamed"');
    expect(after).not.toContain('connector="x"');
  });

  it('writes fresh self-metrics at every scrape while the cluster part stays cached', async () => {
    const { self, exposition } = setup();
    exposition.setCluster(renderFresh(view('prod', []), undefined, OPTIONS));
    await text(exposition);
    self.restRequest('prod', 'root', 'timeout');
    expect(await text(exposition)).toContain('kafka_connect_exporter_rest_requests_total{connect_cluster="prod",endpoint="root",code="timeout"} 1\n');
  });

  it('keeps a body it is writing whole when a poll lands meanwhile', async () => {
    const { exposition } = setup();
    exposition.setCluster(renderFresh(view('prod', [connector('before', 'running')]), undefined, OPTIONS));
    const pending = plainBody(exposition, 'prometheus');
    exposition.setCluster(renderFresh(view('prod', [connector('after', 'running')]), undefined, OPTIONS));
    const body = (await pending).body.toString();
    expect(body).toContain('connector="before"');
    expect(body).not.toContain('connector="after"');
  });

  it('includes the process metrics when switched on, still valid in both formats', async () => {
    const self = createSelfMetrics({ processMetrics: true, version: '1.2.3' });
    const exposition = new Exposition(self);
    exposition.setCluster(renderFresh(view('prod', [connector('x', 'running')]), undefined, OPTIONS));
    const prometheus = await text(exposition);
    expect(prometheus).toContain('\nprocess_cpu_seconds_total ');
    expect(prometheus).toContain('\nnodejs_version_info{');
    expect(validateExposition(prometheus, 'prometheus')).toEqual([]);
    const openMetrics = await text(exposition, 'openmetrics');
    expect(openMetrics).toContain('# TYPE process_cpu_seconds counter\nprocess_cpu_seconds_total ');
    expect(validateExposition(openMetrics, 'openmetrics')).toEqual([]);
    expect(promtoolParseOpenMetrics(openMetrics)).toEqual({ status: 0, output: '' });
    // promtool's linter objects only to prom-client's own gauges named *_total, which are not ours to rename.
    const lint = promtoolCheckMetrics(prometheus).output.split('\n').filter((line) => line !== '');
    expect(lint.filter((line) => !/^nodejs_active_(handles|requests|resources)_total non-counter metrics/.test(line))).toEqual([]);
  });

  it('serves a cluster of 10,000 connectors and 50,000 tasks: every series once per scrape', async () => {
    const states = ['running', 'failed', 'paused', 'unassigned', 'restarting'];
    const connectors = Array.from({ length: 10_000 }, (_, index) =>
      connector(`connector-${index}`, 'running', Array.from({ length: 5 }, (_, id) => task(id, states[(index + id) % 5] ?? 'running'))),
    );
    const { exposition } = setup();
    exposition.setCluster(renderFresh(view('big', connectors), undefined, OPTIONS));
    const first = (await plainBody(exposition, 'prometheus')).body;
    const second = (await plainBody(exposition, 'prometheus')).body;
    expect(second.equals(first)).toBe(true);
    const lines = (prefix: string) => {
      let count = 0;
      for (let at = first.indexOf(`\n${prefix}{`); at !== -1; at = first.indexOf(`\n${prefix}{`, at + 1)) count += 1;
      return count;
    };
    expect(lines('kafka_connect_connector_state')).toBe(60_000);
    expect(lines('kafka_connect_task_state')).toBe(250_000);
    expect(lines('kafka_connect_task_info')).toBe(50_000);
    expect(lines('kafka_connect_task_failure_info')).toBe(10_000);
  });
});
