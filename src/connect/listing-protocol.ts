// The messages between listing-decoder.ts and its worker thread, and how errors cross the thread boundary (a
// structured clone keeps neither the class nor the fields of an error).

import type { ConnectorStatus } from '../domain/model.ts';
import { ConnectDecodeError, ConnectLimitError, errorMessage, type ClusterLimit } from '../errors.ts';
import type { MissingConnector } from './decode.ts';
import type { ListingLimits } from './listing.ts';

export type ToListingWorker =
  | { type: 'decode'; id: number; body: ArrayBuffer; cluster: string; limits: ListingLimits }
  | { type: 'next'; id: number };

export type FromListingWorker =
  | { type: 'batch'; id: number; connectors: ConnectorStatus[] }
  | { type: 'end'; id: number; connectors: ConnectorStatus[]; missing: MissingConnector[] }
  | { type: 'names'; id: number; names: string[]; invalidEntries: number }
  | { type: 'error'; id: number; error: ListingError };

export type ListingError =
  | { kind: 'decode'; problem: string }
  | { kind: 'limit'; cluster: string; limit: ClusterLimit; found: number; allowed: number }
  | { kind: 'other'; message: string };

export function encodeListingError(err: unknown): ListingError {
  if (err instanceof ConnectDecodeError) return { kind: 'decode', problem: err.problem };
  if (err instanceof ConnectLimitError) {
    return { kind: 'limit', cluster: err.cluster, limit: err.limit, found: err.found, allowed: err.allowed };
  }
  return { kind: 'other', message: errorMessage(err) };
}

export function decodeListingError(error: ListingError): Error {
  if (error.kind === 'decode') return new ConnectDecodeError(error.problem);
  if (error.kind === 'limit') return new ConnectLimitError(error.cluster, error);
  return new Error(`decoding the status listing failed in its worker thread: ${error.message}`);
}
