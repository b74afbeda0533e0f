// The system tools the tests run, and the Debian package that brings each. A missing tool fails the test that needs
// it with the package to install; it never skips it. `tools/test.sh` installs them all.

import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const PACKAGES = {
  promtool: 'prometheus',
  prometheus: 'prometheus',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  amtool: 'prometheus-alertmanager',
  chromium: 'chromium',
  openssl: 'openssl',
  java: 'openjdk-17-jdk-headless',
  javac: 'openjdk-17-jdk-headless',
  keytool: 'openjdk-17-jdk-headless',
  mvn: 'maven',
} as const;

export type Tool = keyof typeof PACKAGES;

/** The absolute path of `tool` on PATH; throws, naming the Debian package, when it is not installed. */
export function tool(name: Tool): string {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error(`${name} is not installed: install the Debian package ${PACKAGES[name]} (bash tools/test.sh does)`);
}
