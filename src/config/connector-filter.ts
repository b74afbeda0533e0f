// Which connectors of a cluster connect-sentinel watches: included by any include glob, and by no exclude glob.

import { compileGlobs } from './glob.ts';

export interface ConnectorSelection {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

export function connectorFilter(selection: ConnectorSelection): (connector: string) => boolean {
  const included = compileGlobs(selection.include);
  const excluded = compileGlobs(selection.exclude);
  return (connector) => included(connector) && !excluded(connector);
}
