// connect-sentinel's own version, read from package.json: one level above src/version.ts, two above the compiled
// dist/src/version.js.

import { readFileSync } from 'node:fs';

const PACKAGE_JSON = new URL(import.meta.url.endsWith('.ts') ? '../package.json' : '../../package.json', import.meta.url);

export const VERSION: string = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;
