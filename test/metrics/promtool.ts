// The real Prometheus tools on exposition text: `promtool check metrics` (the Prometheus text parser and the
// naming linter) and, for OpenMetrics, Prometheus' own OpenMetrics parser by way of `promtool tsdb
// create-blocks-from openmetrics`.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tool } from '../support/tools.ts';

export interface ToolResult {
  status: number | null;
  output: string;
}

export function promtoolCheckMetrics(body: Buffer | string): ToolResult {
  const result = spawnSync(tool('promtool'), ['check', 'metrics'], { input: body, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

/**
 * Parses an OpenMetrics body with Prometheus' parser. The backfill tool insists on timestamps, which an exporter
 * never writes, so every sample gets ` 1` appended first; the rest of the text is passed as it is.
 */
export function promtoolParseOpenMetrics(body: Buffer | string): ToolResult {
  const dir = mkdtempSync(join(tmpdir(), 'openmetrics-'));
  try {
    const stamped = body
      .toString()
      .split('\n')
      .map((line) => (line === '' || line.startsWith('#') ? line : `${line} 1`))
      .join('\n');
    writeFileSync(join(dir, 'input.om'), stamped);
    const result = spawnSync(tool('promtool'), ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'input.om'), join(dir, 'blocks')], {
      encoding: 'utf8',
    });
    return { status: result.status, output: result.status === 0 ? '' : `${result.stdout}${result.stderr}`.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
