// Which connectors of a cluster connect-sentinel watches: included by any include glob, and by no exclude glob.

import { compileGlob } from '../restart/glob.ts';

export interface ConnectorSelection {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

export function connectorFilter(selection: ConnectorSelection): (connector: string) => boolean {
  const included = selection.include.map(compileGlob);
  const excluded = selection.exclude.map(compileGlob);
  return (connector) => included.some((matches) => matches(connector)) && !excluded.some((matches) => matches(connector));
}
