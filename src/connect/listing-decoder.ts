// Decodes status listings without blocking the event loop that answers scrapes and probes. Parsing and decoding
// the 14.5 MB answer of 10,000 connectors takes about 80 ms of one core, and a hostile 57 MB answer seconds: a
// scrape landing then would wait all that time. Large answers go to one worker thread, shared by every cluster of
// the service, and come back in batches, each received in its own turn of the event loop. Small ones are decoded
// in place: below OFF_THREAD_FROM_BYTES that is cheaper than the trip to the thread.

import { Worker } from 'node:worker_threads';
import type { ConnectorStatus } from '../domain/model.ts';
import type { ConnectorListing } from './decode.ts';
import { readConnectorListing, type ListingLimits } from './listing.ts';
import { decodeListingError, type FromListingWorker, type ToListingWorker } from './listing-protocol.ts';

/** About 2 ms of decoding on the main thread. */
const OFF_THREAD_FROM_BYTES = 256 * 1024;

export interface ListingDecoder {
  /** The listing of `body` (whose bytes it may take over: do not read it afterwards). */
  decode(body: Buffer, cluster: string, limits: ListingLimits): Promise<ConnectorListing>;
  /** Ends the worker thread, if one was started; decodes still pending fail. */
  close(): Promise<void>;
}

/** Decodes every listing on the calling thread: for a client used alone (tests, tools). */
export const inPlaceListingDecoder: ListingDecoder = {
  decode: async (body, cluster, limits) => readConnectorListing(body, cluster, limits),
  close: async () => {},
};

interface Job {
  connectors: ConnectorStatus[];
  resolve: (listing: ConnectorListing) => void;
  reject: (err: Error) => void;
}

// Run from the sources (.ts, Node's type stripping) or from the build (.js): the worker is the sibling of this file.
const WORKER_URL = new URL(`./listing-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

export function createListingDecoder(options: { offThreadFromBytes?: number } = {}): ListingDecoder {
  const offThreadFrom = options.offThreadFromBytes ?? OFF_THREAD_FROM_BYTES;
  const jobs = new Map<number, Job>();
  let worker: Worker | undefined;
  let nextId = 1;

  const failAll = (err: Error) => {
    for (const job of jobs.values()) job.reject(err);
    jobs.clear();
  };

  const onMessage = (message: FromListingWorker) => {
    const job = jobs.get(message.id);
    if (job === undefined) return;
    if (message.type === 'batch') {
      job.connectors.push(...message.connectors);
      // The next batch is asked for once pending I/O (a scrape, a probe) has had its turn.
      setImmediate(() => worker?.postMessage({ type: 'next', id: message.id } satisfies ToListingWorker));
      return;
    }
    jobs.delete(message.id);
    if (message.type === 'error') job.reject(decodeListingError(message.error));
    else if (message.type === 'names') job.resolve({ kind: 'names', names: message.names, invalidEntries: message.invalidEntries });
    else {
      job.connectors.push(...message.connectors);
      // In a turn of its own: what the poll does next must not run on in the turn that received the last batch.
      setImmediate(() => job.resolve({ kind: 'expanded', connectors: job.connectors, missing: message.missing }));
    }
  };

  const started = (): Worker => {
    if (worker !== undefined) return worker;
    const thread = new Worker(WORKER_URL);
    // The thread never keeps the process alive: a service that is done exits with it running.
    thread.unref();
    thread.on('message', onMessage);
    const lost = (err: Error) => {
      if (worker === thread) worker = undefined;
      failAll(new Error(`the listing decoder's worker thread stopped: ${err.message}`));
    };
    thread.on('error', lost);
    thread.on('exit', (code) => lost(new Error(`exit code ${code}`)));
    worker = thread;
    return thread;
  };

  return {
    decode(body, cluster, limits) {
      if (body.length < offThreadFrom) return inPlaceListingDecoder.decode(body, cluster, limits);
      const id = nextId++;
      // Moved, not copied, when the body owns its memory (a large Buffer does).
      const whole = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer;
      const bytes = whole ? (body.buffer as ArrayBuffer) : new Uint8Array(body).buffer;
      return new Promise<ConnectorListing>((resolve, reject) => {
        jobs.set(id, { connectors: [], resolve, reject });
        started().postMessage({ type: 'decode', id, body: bytes, cluster, limits } satisfies ToListingWorker, [bytes]);
      });
    },
    async close() {
      const thread = worker;
      worker = undefined;
      failAll(new Error('the listing decoder was closed'));
      await thread?.terminate();
    },
  };
}
