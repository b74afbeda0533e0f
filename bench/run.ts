// `npm run bench`: runs every benchmark at 100, 1,000 and 10,000 connectors and writes bench/RESULTS.md.
// `--smoke` runs the tiny plan of the tests instead and prints the report without writing it.

import { readFile, writeFile } from 'node:fs/promises';
import { FULL_PLAN, SMOKE_PLAN } from './plan.ts';
import { renderResults } from './report.ts';
import { runSuite } from './suite.ts';

const smoke = process.argv.includes('--smoke');
if ((globalThis as { gc?: unknown }).gc === undefined) {
  process.stderr.write('note: run with --expose-gc (npm run bench does) for the GCs between rounds\n');
}
const started = Date.now();
const log = (line: string): void => {
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
};

const result = await runSuite(smoke ? SMOKE_PLAN : FULL_PLAN, log);
const gapNotes = await readFile(new URL('./gaps.md', import.meta.url), 'utf8');
const report = renderResults(result, gapNotes);
if (smoke) process.stdout.write(report);
else {
  await writeFile(new URL('./RESULTS.md', import.meta.url), report);
  log('wrote bench/RESULTS.md');
}
