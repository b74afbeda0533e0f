// Pure: a status listing from the raw bytes of its answer, within the cluster's limits on connectors and tasks.
// Counting comes first, on the bytes (listing-count.ts), so that an answer far past a limit is refused before it is
// parsed; the exact count of what was decoded is checked again after.

import { ConnectLimitError } from '../errors.ts';
import { decodeConnectorListing, parseJsonBody, type ConnectorListing } from './decode.ts';
import { countListing, type ListingCount } from './listing-count.ts';

export interface ListingLimits {
  /** Connectors a poll may hold (entries of the listing). */
  readonly maxConnectors: number;
  /** Tasks a poll may hold, all connectors together. */
  readonly maxTasks: number;
}

export function readConnectorListing(body: Uint8Array, cluster: string, limits: ListingLimits): ConnectorListing {
  checkListingLimits(cluster, countListing(body, { connectors: limits.maxConnectors, tasks: limits.maxTasks }), limits);
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  const listing = decodeConnectorListing(parseJsonBody(text));
  checkListingLimits(cluster, countDecoded(listing), limits);
  return listing;
}

/** Throws ConnectLimitError when a count passes its limit (connectors first). */
export function checkListingLimits(cluster: string, count: ListingCount, limits: ListingLimits): void {
  if (count.connectors > limits.maxConnectors) {
    throw new ConnectLimitError(cluster, { limit: 'maxConnectors', found: count.connectors, allowed: limits.maxConnectors });
  }
  if (count.tasks > limits.maxTasks) {
    throw new ConnectLimitError(cluster, { limit: 'maxTasks', found: count.tasks, allowed: limits.maxTasks });
  }
}

function countDecoded(listing: ConnectorListing): ListingCount {
  if (listing.kind === 'names') return { connectors: listing.names.length, tasks: 0 };
  let tasks = 0;
  for (const connector of listing.connectors) tasks += connector.tasks.length;
  return { connectors: listing.connectors.length + listing.missing.length, tasks };
}
