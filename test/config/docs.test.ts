// docs/configuration.md must mention every key the schema accepts, so the reference cannot fall behind the code.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { configSchema } from '../../src/config/schema.ts';

const DOC = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  element?: z.ZodType;
}

/** Every key of every object schema reachable from `schema`, as dotted paths. */
function keyPaths(schema: z.ZodType, prefix: string): string[] {
  const def = schema._zod.def as unknown as Def;
  if (def.shape) {
    return Object.entries(def.shape).flatMap(([key, child]) => {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      return [path, ...keyPaths(child, path)];
    });
  }
  const inner = def.innerType ?? def.element ?? def.in;
  const out = def.type === 'pipe' && def.out ? keyPaths(def.out, prefix) : [];
  return [...(inner ? keyPaths(inner, prefix) : []), ...out];
}

describe('docs/configuration.md', () => {
  const paths = [...new Set(keyPaths(configSchema, ''))];

  it('finds the keys of the schema', () => {
    expect(paths).toContain('clusters.basicAuth.passwordFile');
    expect(paths).toContain('restart.clusterSafety.circuitBreaker.minConnectors');
  });

  it.each(paths)('documents %s', (path) => {
    const leaf = path.split('.').at(-1) ?? path;
    expect(DOC).toMatch(new RegExp(`\`[^\`\\n]*\\b${leaf}\\b[^\`\\n]*\``));
  });
});
