// Layers that only look down: every import in src/ goes to a lower layer, or stays inside its own directory (or
// file). Modules of one layer never import each other, so each can be read, tested and replaced on its own.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Lowest first. An entry is a directory of src/ (every file in it) or one top-level file. */
const LAYERS: readonly (readonly string[])[] = [
  ['src/domain', 'src/logger.ts', 'src/version.ts'],
  ['src/errors.ts'],
  ['src/config', 'src/simulator', 'src/storage'],
  ['src/connect'],
  ['src/poller', 'src/metrics', 'src/restart'],
  ['src/ha'],
  ['src/http'],
  ['src/app.ts'],
  ['src/service.ts'],
  ['src/cli.ts', 'src/demo.ts'],
  ['src/run.ts'],
  ['src/main.ts'],
];

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
      for (const target of importsOf(file)) {
        const to = placeOf(target);
        if (to.module === from.module || to.layer < from.layer) continue;
        wrong.push(`${file} imports ${relative(ROOT, join(ROOT, target))} (${to.layer === from.layer ? 'same layer' : 'a higher layer'})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keep the simulator out of the product but for --demo', () => {
    const users = FILES.filter((file) => placeOf(file).module !== 'src/simulator' && importsOf(file).some((target) => target.startsWith('src/simulator/')));
    expect(users).toEqual(['src/demo.ts']);
  });
});
