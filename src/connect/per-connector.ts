// Kafka before 2.3 ignores `?expand`: its listing is names only. Each connector's status is then read on its own,
// a few at a time, and its class from `GET /connectors/{name}`, read once and kept.

import type { Logger } from 'pino';
import type { ConnectorStatus, StatusPoll } from '../domain/model.ts';
import { ConnectDecodeError, ConnectUnreachableError, isSentinelError } from '../errors.ts';
import { forEachLimited } from './concurrency.ts';
import { decodeConnectorInfo, decodeConnectorStatus, decodeWith, type MissingConnector } from './decode.ts';
import type { Send } from './failover.ts';
import { checkListingLimits, type ListingLimits } from './listing.ts';
import { connectorPath } from './transport.ts';

export interface PerConnectorPoll {
  send: Send;
  cluster: string;
  limits: ListingLimits;
  /** Status requests in flight at once. */
  concurrency: number;
  /** `connector.class` per connector, kept between polls; the connectors no longer listed are dropped. */
  classes: Map<string, string>;
  logger: Logger;
}

/** Every listed connector's status; the ones Connect has none for (or sent an unusable one) are in `missing`. */
export async function pollEachConnector(
  deps: PerConnectorPoll,
  names: readonly string[],
  workerUrl: string,
  signal: AbortSignal | undefined,
): Promise<{ poll: StatusPoll; missing: MissingConnector[] }> {
  const listed = new Set(names);
  for (const name of deps.classes.keys()) if (!listed.has(name)) deps.classes.delete(name);
  const connectors: ConnectorStatus[] = [];
  const missing: MissingConnector[] = [];
  await forEachLimited(
    names,
    deps.concurrency,
    async (name, shared) => {
      const status = await readStatus(deps, name, shared, missing);
      if (status === undefined) return;
      status.connectorClass = await connectorClass(deps, name, shared);
      connectors.push(status);
    },
    signal,
  );
  connectors.sort((a, b) => compareNames(a.name, b.name));
  checkListingLimits(deps.cluster, { connectors: names.length, tasks: connectors.reduce((sum, c) => sum + c.tasks.length, 0) }, deps.limits);
  const missingStatus = missing.map((entry) => entry.name).sort(compareNames);
  return { poll: { connectors, mode: 'per-connector', missingStatus, workerUrl }, missing };
}

/**
 * One connector's status; undefined (and an entry in `missing`) when Connect has none for it or answers
 * something unusable. An unreachable cluster fails the whole poll instead: its answers so far are partial.
 */
async function readStatus(deps: PerConnectorPoll, name: string, signal: AbortSignal, missing: MissingConnector[]): Promise<ConnectorStatus | undefined> {
  try {
    const result = await deps.send({ method: 'GET', path: `${connectorPath(name)}/status`, endpoint: 'connector_status', expect: [200] }, signal);
    return decodeWith(result, (body) => decodeConnectorStatus(body, { name }));
  } catch (err) {
    if (err instanceof ConnectUnreachableError || !isSentinelError(err)) throw err;
    missing.push({ name, reason: err.message, malformed: err instanceof ConnectDecodeError });
    return undefined;
  }
}

/** Kept once read; a failure leaves it '' for this poll and it is asked again next time. */
async function connectorClass(deps: PerConnectorPoll, name: string, signal: AbortSignal): Promise<string> {
  const cached = deps.classes.get(name);
  if (cached !== undefined) return cached;
  try {
    const result = await deps.send({ method: 'GET', path: connectorPath(name), endpoint: 'connector_info', expect: [200] }, signal);
    const { connectorClass: read } = decodeWith(result, decodeConnectorInfo);
    deps.classes.set(name, read);
    return read;
  } catch (err) {
    if (signal.aborted || !isSentinelError(err)) throw err;
    deps.logger.debug({ connector: name, err: err.message }, 'Reading the connector class failed; will retry next poll');
    return '';
  }
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
