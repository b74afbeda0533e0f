// Production dependencies have no known high-severity advisory. `npm audit` cannot reach the advisory
// endpoint from this build environment (docs/security.md), so the advisories known for this dependency tree are
// kept here as floors: a lockfile that resolves any of these packages below its fixed version fails.

import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';

interface LockedPackage {
  version: string;
  dev?: boolean;
}

/** High-severity advisories published against this tree in 2026: package, advisory, a version known to fix it. */
const FIXED_IN: ReadonlyArray<readonly [pkg: string, advisory: string, fixedIn: string]> = [
  ['fastify', 'GHSA-jx2c-rxcm-jvmq (Content-Type tab bypasses body validation)', '5.7.2'],
  ['fastify', 'GHSA-p68q-wchp-6fh7 (authentication bypass via a malformed URL)', '5.12.5'],
  ['find-my-way', 'GHSA-c96f-x56v-gq3h (HTTP/2 denial of service)', '9.7.0'],
  ['fast-uri', 'GHSA-7p8r-x3mc-p8w7 and the 3.1.x host-confusion advisories', '3.1.7'],
];

function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((version) => version.split('-')[0]!.split('.').map(Number));
  for (let i = 0; i < 3; i++) if (x![i] !== y![i]) return (x![i] ?? 0) - (y![i] ?? 0);
  return 0;
}

it('no production dependency is locked at a version with a known high-severity advisory', async () => {
  const lock = JSON.parse(await readFile(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
    packages: Record<string, LockedPackage>;
  };
  const production = Object.entries(lock.packages).filter(([path, entry]) => path !== '' && entry.dev !== true);
  const vulnerable: string[] = [];
  for (const [pkg, advisory, fixedIn] of FIXED_IN) {
    const major = fixedIn.split('.')[0];
    const locked = production.filter(([path, entry]) => path.endsWith(`node_modules/${pkg}`) && entry.version.split('.')[0] === major);
    for (const [path, entry] of locked) {
      if (compareVersions(entry.version, fixedIn) < 0) vulnerable.push(`${path}@${entry.version}: ${advisory}, fixed by ${fixedIn}`);
    }
  }
  expect(vulnerable).toEqual([]);
  // The floors must keep watching what is installed: every package named above is in the production tree.
  for (const [pkg] of FIXED_IN) expect(production.some(([path]) => path.endsWith(`node_modules/${pkg}`)), pkg).toBe(true);
  expect(compareVersions('5.12.4', '5.12.5')).toBeLessThan(0);
});
