// The Kafka client is loaded only by replicas that share their history through Kafka (`ha`): it is about 70 MB of
// resident memory, more than the rest of the service's dependencies together, that a single replica never uses. So
// no module that src/run.ts (what main.ts loads) imports statically may import it; the shared history is reached by a dynamic import.

import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const KAFKA_CLIENT = '@platformatic/kafka';

/** Specifiers a file imports at load time: static imports and re-exports, not type-only ones, not dynamic ones. */
function loadTimeImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/^(?:import|export)\s(?!type\s)[^'";]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm)].map((match) => match[1] ?? match[2]!);
}

/** Every repository file loaded with `entry`, following relative imports. */
function loadedWith(entry: string): Set<string> {
  const loaded = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (loaded.has(file)) continue;
    loaded.add(file);
    for (const spec of loadTimeImports(file)) if (spec.startsWith('.')) pending.push(normalize(join(dirname(file), spec)));
  }
  return loaded;
}

describe('the Kafka client', () => {
  it('is not loaded with src/run.ts, and is loaded with the shared history', () => {
    // main.ts checks the Node.js version, then loads run.ts: the product starts there.
    const loaded = loadedWith('src/run.ts');
    // The walk itself works: the service and the app come with run.ts.
    expect(loaded).toContain('src/service.ts');
    expect(loaded).toContain('src/app.ts');
    const importers = [...loaded].filter((file) => loadTimeImports(file).some((spec) => spec.startsWith(KAFKA_CLIENT)));
    expect(importers).toEqual([]);
    expect([...loadedWith('src/ha/shared-history.ts')].some((file) => loadTimeImports(file).some((spec) => spec.startsWith(KAFKA_CLIENT)))).toBe(true);
    expect(readFileSync(join(ROOT, 'src/service.ts'), 'utf8')).toMatch(/await import\('\.\/ha\/shared-history\.ts'\)/);
  });
});
