// Install as users expect: the npm package holds the compiled service behind its `bin`, the generated
// alerts and dashboards, the docs and the example, and nothing that needs the dev toolchain (TypeScript sources of
// the generators, tests, benchmarks). `npm pack --dry-run` runs `prepack`, which compiles src/ and the
// simulator that --demo runs (packages/simulator) to dist/.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE = fileURLToPath(new URL('../../node_modules/.bin/node', import.meta.url));

interface PackedFile {
  path: string;
}

it('the npm package runs its bin from dist and ships the generated monitoring files without their sources', async () => {
  const packed = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts=false'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  const [manifest] = JSON.parse(packed.stdout) as Array<{ files: PackedFile[] }>;
  const files = manifest!.files.map((file) => file.path);
  const { bin, version } = JSON.parse(await readFile(`${ROOT}package.json`, 'utf8')) as { bin: Record<string, string>; version: string };

  expect(files).toContain(bin['connect-sentinel']);
  expect(files).toEqual(
    expect.arrayContaining([
      'alerts/connect-sentinel.rules.yml',
      'alerts/prometheusrule.yaml',
      'alerts/alertmanager.example.yml',
      'dashboards/connect-sentinel-overview.json',
      'dashboards/connect-sentinel-connector.json',
      'docs/metrics.md',
      'examples/sentinel.yaml',
      'dist/packages/simulator/src/main.js',
    ]),
  );
  expect(files.filter((path) => /\.ts$/.test(path) || /^(src|test|bench)\//.test(path))).toEqual([]);

  const main = `${ROOT}${bin['connect-sentinel']}`;
  expect((await readFile(main, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true);
  const printed = await run(NODE, [main, '--version'], { cwd: ROOT });
  expect(printed.stdout.trim()).toMatch(new RegExp(`^connect-sentinel ${version.replace(/\./g, '\\.')} \\(node `));
}, 120_000);
