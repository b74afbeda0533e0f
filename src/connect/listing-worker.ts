// The worker thread of listing-decoder.ts: decodes status listings off the main event loop, and hands each one
// back in batches that the main thread asks for one at a time, so that receiving them never blocks it for long.

import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { ConnectorStatus } from '../domain/model.ts';
import type { MissingConnector } from './decode.ts';
import { readConnectorListing } from './listing.ts';
import { encodeListingError, type FromListingWorker, type ToListingWorker } from './listing-protocol.ts';

/** Connectors and tasks per batch: about a millisecond of structured-clone work on the receiving side. */
const BATCH_UNITS = 4096;
/** Low, not lowest: decoding still gets a fair share of a busy machine. */
const NICE = 10;

interface Unsent {
  connectors: ConnectorStatus[];
  missing: MissingConnector[];
  sent: number;
}

const port = parentPort;
if (port === null) throw new Error('listing-worker.ts runs only as a worker thread');
// On Linux a nice value is per thread, and 0 names the calling one: on a busy machine the event loop that answers
// scrapes gets the CPU first, and decoding takes what is left. Elsewhere it would apply to the whole process.
if (process.platform === 'linux') setPriority(0, NICE);
const unsent = new Map<number, Unsent>();

port.on('message', (message: ToListingWorker) => {
  if (message.type === 'next') {
    sendBatch(message.id);
    return;
  }
  const { id, body, cluster, limits } = message;
  try {
    const listing = readConnectorListing(new Uint8Array(body), cluster, limits);
    if (listing.kind === 'names') {
      post({ type: 'names', id, names: listing.names, invalidEntries: listing.invalidEntries });
      return;
    }
    unsent.set(id, { connectors: listing.connectors, missing: listing.missing, sent: 0 });
    sendBatch(id);
  } catch (err) {
    post({ type: 'error', id, error: encodeListingError(err) });
  } finally {
    // Frees the answer's bytes now: dropped, they would wait for this thread's next garbage collection, which an
    // idle thread may not run before the next answer arrives.
    body.transfer(0);
  }
});

function sendBatch(id: number): void {
  const job = unsent.get(id);
  if (job === undefined) return;
  let end = job.sent;
  for (let units = 0; end < job.connectors.length && units < BATCH_UNITS; end += 1) units += 1 + job.connectors[end]!.tasks.length;
  const connectors = job.connectors.slice(job.sent, end);
  job.sent = end;
  if (end < job.connectors.length) {
    post({ type: 'batch', id, connectors });
    return;
  }
  unsent.delete(id);
  post({ type: 'end', id, connectors, missing: job.missing });
}

function post(message: FromListingWorker): void {
  port!.postMessage(message);
}
