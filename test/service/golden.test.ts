// Golden whole-service output: the /metrics body of the demo (src/demo.ts: a Kafka 3.9 cluster with basic
// auth and the `demo` scenario, and a legacy 2.2 fleet) after one poll, checked by the real promtool and compared with
// test/service/golden/demo.prom, where timestamps, durations and the Node.js version are replaced by placeholders.
// To regenerate after an intended change: UPDATE_GOLDEN=1 npx vitest run test/service/golden.test.ts, then review the diff.

import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, expect, it } from 'vitest';
import { startDemo } from '../../src/demo.ts';
import { promtoolCheckMetrics, promtoolParseOpenMetrics } from '../metrics/promtool.ts';
import { cleanup, startService, tempDir } from './harness.ts';

afterEach(cleanup);

const GOLDEN = new URL('./golden/demo.prom', import.meta.url);

/** prom-client's process metrics (on in the demo) hold nothing of ours and change from run to run. */
const PROCESS_METRIC = /^(?:# (?:HELP|TYPE) )?(?:process|nodejs)_/;

/**
 * Values that change from run to run (or with the clock) become placeholders, and the samples of each family are
 * sorted: the two clusters poll at the same time, so the exporter's own counters meet their series in either order.
 */
function normalize(body: string): string {
  const out: string[] = [];
  let samples: string[] = [];
  const flush = () => {
    out.push(...samples.sort());
    samples = [];
  };
  for (const line of body.split('\n')) {
    if (PROCESS_METRIC.test(line)) continue;
    if (line.startsWith('#') || line === '') {
      flush();
      out.push(line);
      continue;
    }
    samples.push(
      line
        .replace(/^(\w+_(?:timestamp_seconds|duration_seconds)(?:\{[^}]*\})?) \S+$/, '$1 <value>')
        .replace(/nodejs_version="[^"]*"/, 'nodejs_version="<node>"'),
    );
  }
  flush();
  return out.join('\n');
}

it('the demo\'s /metrics after one poll passes promtool and matches the golden file', async () => {
  const dir = await tempDir();
  const demo = await startDemo({ dataDir: `${dir}/data` });
  try {
    const service = await startService({ load: () => demo.load(), dir, monotonicNow: () => 0 });
    await service.app.pollAll();

    const text = await service.inject({ url: '/metrics' });
    expect(text.statusCode).toBe(200);
    // promtool's linter objects only to prom-client's own gauges named *_total, which are not ours to rename.
    const lint = promtoolCheckMetrics(text.body).output.split('\n').filter((line) => line !== '');
    expect(lint.filter((line) => !/^nodejs_active_(handles|requests|resources)_total non-counter metrics/.test(line))).toEqual([]);

    const open = await service.inject({ url: '/metrics', headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
    expect(promtoolParseOpenMetrics(open.body)).toEqual({ status: 0, output: '' });

    const actual = normalize(text.body);
    if (process.env['UPDATE_GOLDEN'] === '1') await writeFile(GOLDEN, actual);
    expect(actual).toBe(await readFile(GOLDEN, 'utf8'));
    await service.close();
  } finally {
    await demo.close();
  }
});
