// `npm run bench`: runs every benchmark at 100, 1,000 and 10,000 connectors and writes bench/results.json (the raw
// figures) and bench/RESULTS.md. `--report` renders RESULTS.md again from results.json (after editing gaps.md);
// `--smoke` runs the tiny plan of the tests and prints the report without writing anything.

import { readFile, writeFile } from 'node:fs/promises';
import { FULL_PLAN, SMOKE_PLAN } from './plan.ts';
import { renderResults } from './report.ts';
import { runSuite, type SuiteResult } from './suite.ts';

const RAW = new URL('./results.json', import.meta.url);
const REPORT = new URL('./RESULTS.md', import.meta.url);
const GAP_NOTES = new URL('./gaps.md', import.meta.url);
/** Written by bench/real-connect.ts (a real Kafka Connect worker), included as it is. */
const REAL_CONNECT = new URL('./real-connect.md', import.meta.url);
/** Written with bench/compare.ts from two runs (issue 14, item 8), included as it is. */
const COMPARISON = new URL('./exposition-comparison.md', import.meta.url);

const started = Date.now();
const log = (line: string): void => {
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
};

async function measure(smoke: boolean): Promise<SuiteResult> {
  if ((globalThis as { gc?: unknown }).gc === undefined) log('note: without --expose-gc, GC between rounds goes through v8.setFlagsFromString');
  return runSuite(smoke ? SMOKE_PLAN : FULL_PLAN, log);
}

const gapNotes = await readFile(GAP_NOTES, 'utf8');
const appendices = (await Promise.all([COMPARISON, REAL_CONNECT].map((file) => readFile(file, 'utf8').catch(() => '')))).filter(
  (text) => text !== '',
);
const withAppendices = (report: string) => [report.trimEnd(), ...appendices.map((text) => text.trimEnd())].join('\n\n') + '\n';
if (process.argv.includes('--smoke')) {
  process.stdout.write(renderResults(await measure(true), gapNotes));
} else if (process.argv.includes('--report')) {
  await writeFile(REPORT, withAppendices(renderResults(JSON.parse(await readFile(RAW, 'utf8')) as SuiteResult, gapNotes)));
  log('wrote bench/RESULTS.md from bench/results.json');
} else {
  const result = await measure(false);
  await writeFile(RAW, `${JSON.stringify(result, null, 1)}\n`);
  await writeFile(REPORT, withAppendices(renderResults(result, gapNotes)));
  log('wrote bench/results.json and bench/RESULTS.md');
}
