// The JSON schema of Grafana's classic dashboard, derived from the TypeScript types of @grafana/schema, which ships no
// JSON schema of its own. The derived schema is committed with the package version in its name; a test checks that
// it is what the installed version derives. Regenerate: npx node test/monitoring/grafana-schema.ts

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';

const REPO = new URL('../../', import.meta.url);

export function installedSchemaVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('node_modules/@grafana/schema/package.json', REPO), 'utf8')) as { version: string };
  return manifest.version;
}

export function schemaPath(version: string): string {
  return fileURLToPath(new URL(`grafana-dashboard-${version}.schema.json`, import.meta.url));
}

export function deriveDashboardSchema(): string {
  const generator = createGenerator({
    path: fileURLToPath(new URL('node_modules/@grafana/schema/dist/types/raw/dashboard/x/types.gen.d.ts', REPO)),
    type: 'Dashboard',
    tsconfig: fileURLToPath(new URL('tsconfig.json', REPO)),
    skipTypeCheck: true,
    additionalProperties: true,
  });
  return `${JSON.stringify(generator.createSchema('Dashboard'), null, 2)}\n`;
}

if (import.meta.main) {
  writeFileSync(schemaPath(installedSchemaVersion()), deriveDashboardSchema());
}
