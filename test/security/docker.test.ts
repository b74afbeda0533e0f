// The Docker image, checked statically (no Docker engine runs here): it runs as a non-root user, needs no write
// access outside /data (so `docker run --read-only` works), ships production dependencies only, and bakes in no
// secret. The "writes only /data" part is checked against the source: only the history store writes files.

import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions (continuation lines joined, comments dropped), split into build stages. */
function stages(text: string): Instruction[][] {
  const joined = text.replace(/\\\n/g, ' ');
  const result: Instruction[][] = [];
  for (const line of joined.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const space = trimmed.indexOf(' ');
    const instruction = { keyword: trimmed.slice(0, space).toUpperCase(), args: trimmed.slice(space + 1).trim() };
    if (instruction.keyword === 'FROM') result.push([]);
    result.at(-1)?.push(instruction);
  }
  return result;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

describe('Docker image', () => {
  it('runs as a non-root user with /data as its only writable place, production dependencies only, no baked-in secret', async () => {
    const all = stages(await readFile('Dockerfile', 'utf8'));
    const final = all.at(-1)!;
    const of = (keyword: string) => final.filter((i) => i.keyword === keyword).map((i) => i.args);

    const users = of('USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const user = users.at(-1)!.split(':')[0]!;
    // /data belongs to that user and is a volume; the command line points the history there.
    expect(of('RUN').some((run) => new RegExp(`chown\\s+${user}(:${user})?\\s+/data`).test(run))).toBe(true);
    expect(of('VOLUME').join(' ')).toContain('/data');
    expect(of('CMD').join(' ')).toContain('--data.dir=/data');
    expect(of('ENV').join(' ')).toContain('NODE_ENV=production');
    // node_modules come from a stage installed with --omit=dev.
    const modulesFrom = of('COPY').find((copy) => copy.includes('node_modules'))?.match(/--from=(\S+)/)?.[1];
    const depsStage = all.find((stage) => stage[0]?.args.endsWith(` AS ${modulesFrom}`));
    expect(depsStage?.some((i) => i.keyword === 'RUN' && /npm ci\b.*--omit=dev/.test(i.args))).toBe(true);
    for (const stage of all) {
      for (const { keyword, args } of stage) {
        if (keyword === 'ENV' || keyword === 'ARG') expect(args).not.toMatch(/PASSWORD|TOKEN|SECRET|KEY=/i);
      }
    }
    const ignored = (await readFile('.dockerignore', 'utf8')).split('\n').map((line) => line.trim());
    for (const path of ['node_modules', 'data', '.git', 'test']) expect(ignored).toContain(path);
  });

  it('only the file port of the data directory (restart history, state clocks) and --demo (a temp dir) write files', async () => {
    const writers: string[] = [];
    for (const file of await sourceFiles('src')) {
      const text = await readFile(file, 'utf8');
      const fsImports = [...text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'node:fs(?:\/promises)?'/g)].flatMap((m) => m[1]!.split(','));
      const writes = fsImports.map((name) => name.trim().split(/\s+as\s+/)[0]!).filter((name) => /^(open|write|append|mkdir|mkdtemp|rename|link|unlink|rm|copy|cp|symlink|truncate|chmod|chown|createWriteStream)/.test(name));
      if (writes.length > 0) writers.push(relative('src', file));
    }
    expect(writers.sort()).toEqual(['demo.ts', 'storage/fs.ts']);
  });
});
