// Layers that only look down: every import in src/ goes to a lower layer, or stays inside its own directory (or
// file). Modules of one layer never import each other, so each can be read, tested and replaced on its own. The
// simulator (packages/simulator) stands apart: it imports nothing of connect-sentinel, and everything else reaches it
// through its entry point only.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Lowest first. An entry is a directory of src/ (every file in it) or one top-level file. */
const LAYERS: readonly (readonly string[])[] = [
  ['src/domain', 'src/logger.ts', 'src/version.ts'],
  ['src/errors.ts'],
  ['src/config', 'src/storage'],
  ['src/connect'],
  ['src/poller', 'src/metrics', 'src/restart'],
  ['src/ha'],
  ['src/http'],
  ['src/runtime'],
  ['src/app.ts'],
  ['src/service.ts'],
  ['src/cli.ts', 'src/demo.ts'],
  ['src/run.ts'],
  ['src/main.ts'],
];

const SIMULATOR = 'packages/simulator';
const SIMULATOR_ENTRY = `${SIMULATOR}/src/index.ts`;

/** The entry of LAYERS a file belongs to, and its layer. */
function placeOf(file: string): { module: string; layer: number } {
  for (const [layer, modules] of LAYERS.entries()) {
    for (const module of modules) {
      if (file === module || file.startsWith(`${module}/`)) return { module, layer };
    }
  }
  throw new Error(`${file} is in no layer: add it to LAYERS in test/repository/layers.test.ts`);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of a file (static, type-only and dynamic), resolved to paths from the repository root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\s)(?:import|export)\s[^'";]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/gm)].map(
    (match) => match[1] ?? match[2]!,
  );
  return specifiers.filter((spec) => spec.startsWith('.')).map((spec) => normalize(join(dirname(file), spec)));
}

const FILES = sourceFiles('src');
const PRODUCT_IMPORTS = (file: string) => importsOf(file).filter((target) => !target.startsWith(`${SIMULATOR}/`));

describe('the layers of src/', () => {
  it('place every source file, and read the imports of the app module', () => {
    for (const file of FILES) expect(() => placeOf(file), file).not.toThrow();
    // The scan itself works: app.ts imports from five other layers.
    expect(new Set(importsOf('src/app.ts').map((target) => placeOf(target).layer)).size).toBeGreaterThanOrEqual(5);
  });

  it('only look down: each import goes to a lower layer or stays in its own module', () => {
    const wrong: string[] = [];
    for (const file of FILES) {
      const from = placeOf(file);
      for (const target of PRODUCT_IMPORTS(file)) {
        const to = placeOf(target);
        if (to.module === from.module || to.layer < from.layer) continue;
        wrong.push(`${file} imports ${relative(ROOT, join(ROOT, target))} (${to.layer === from.layer ? 'same layer' : 'a higher layer'})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keep the simulator out of the product but for --demo, which uses its entry point', () => {
    const users = FILES.filter((file) => importsOf(file).some((target) => target.startsWith(`${SIMULATOR}/`)));
    expect(users).toEqual(['src/demo.ts']);
    expect(importsOf('src/demo.ts').filter((target) => target.startsWith(`${SIMULATOR}/`))).toEqual([SIMULATOR_ENTRY]);
  });
});

describe('the simulator package', () => {
  const own = sourceFiles(`${SIMULATOR}/src`);
  const others = ['test', 'bench', 'tools'].flatMap((dir) => sourceFiles(dir));

  it('imports nothing of connect-sentinel', () => {
    expect(own.length).toBeGreaterThan(10);
    const outside = own.flatMap((file) => importsOf(file).filter((target) => !target.startsWith(`${SIMULATOR}/src/`)).map((target) => `${file} imports ${target}`));
    expect(outside).toEqual([]);
    const tests = sourceFiles(`${SIMULATOR}/test`);
    const testsOutside = tests.flatMap((file) => importsOf(file).filter((target) => !target.startsWith(`${SIMULATOR}/`)).map((target) => `${file} imports ${target}`));
    expect(testsOutside).toEqual([]);
  });

  it('is used by the tests, benchmarks and tools through its entry point only', () => {
    const users = others.filter((file) => importsOf(file).includes(SIMULATOR_ENTRY));
    expect(users.length).toBeGreaterThan(10);
    const inside = others.flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith(`${SIMULATOR}/src/`) && target !== SIMULATOR_ENTRY)
        .map((target) => `${file} imports ${target}`),
    );
    expect(inside).toEqual([]);
  });
});

describe('the monitoring sources', () => {
  const outside = (dir: string, forbidden: readonly string[]) =>
    sourceFiles(dir).flatMap((file) =>
      importsOf(file)
        .filter((target) => forbidden.some((prefix) => target.startsWith(prefix)))
        .map((target) => `${file} imports ${target}`),
    );

  it('look down too: dashboards build on the alerts (their config and recorded series), never the other way', () => {
    expect(importsOf('dashboards/src/overview.ts').some((target) => target.startsWith('alerts/src/'))).toBe(true);
    expect(outside('alerts/src', ['dashboards/', 'tools/', 'test/'])).toEqual([]);
    expect(outside('dashboards/src', ['tools/', 'test/'])).toEqual([]);
  });

  it('stay out of the product: src/ imports no monitoring source, tool or test', () => {
    expect(outside('src', ['alerts/', 'dashboards/', 'tools/', 'test/', 'bench/'])).toEqual([]);
  });
});
