// Command line: writes the alerts, recording rules, Alertmanager example and dashboards.
//
//   npx node tools/monitoring/build.ts                      regenerate the committed files from the defaults
//   npx node tools/monitoring/build.ts --check              exit 1 if a committed file is out of date
//   npx node tools/monitoring/build.ts --config my.yaml --out-dir out
//                                                      your own selectors, thresholds and durations, into out/

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { isSentinelError, SentinelError } from '../../src/errors.ts';
import { resolveConfig } from '../../alerts/src/config.ts';
import { generateAll, type GeneratedFile } from './generate.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function loadConfig(path: string | undefined) {
  if (path === undefined) return resolveConfig(undefined);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new SentinelError('CS_ERR_CONFIG_READ', `cannot read monitoring config ${path}: ${(err as Error).message}`);
  }
  return resolveConfig(parse(text));
}

/** Where a file goes: its repository path by default, or flat in `outDir`. */
function destination(file: GeneratedFile, outDir: string | undefined): string {
  return outDir === undefined ? join(REPO_ROOT, file.path) : join(outDir, basename(file.path));
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { config: { type: 'string' }, 'out-dir': { type: 'string' }, check: { type: 'boolean', default: false } },
  });
  const files = generateAll(await loadConfig(values.config));
  const outDir = values['out-dir'];
  if (values.check) {
    const stale: string[] = [];
    for (const file of files) {
      if ((await readIfExists(destination(file, outDir))) !== file.content) stale.push(file.path);
    }
    if (stale.length > 0) {
      process.stderr.write(`out of date, run npx node tools/monitoring/build.ts: ${stale.join(', ')}\n`);
      return 1;
    }
    return 0;
  }
  for (const file of files) {
    const path = destination(file, outDir);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.content);
    process.stdout.write(`wrote ${path}\n`);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${isSentinelError(err) ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
