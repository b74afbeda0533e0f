// `node bench/compare.ts <before/results.json> <after/results.json> <title>`: the figures of two benchmark runs side
// by side at the largest size, as markdown on stdout. Used to weigh one design against another: run `npm run bench`
// in a worktree of each revision, one after the other on the same machine, then compare the two results.json.

import { readFile } from 'node:fs/promises';
import { compareRuns } from './lib/compare-runs.ts';
import type { SuiteResult } from './suite.ts';

const [beforePath, afterPath, title = 'Before and after'] = process.argv.slice(2);
if (beforePath === undefined || afterPath === undefined) {
  process.stderr.write('usage: node bench/compare.ts <before/results.json> <after/results.json> [title]\n');
  process.exit(2);
}

const read = async (path: string): Promise<SuiteResult> => JSON.parse(await readFile(path, 'utf8')) as SuiteResult;
const before = await read(beforePath);
const after = await read(afterPath);

process.stdout.write(compareRuns(before, after, title));
