import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectDecodeError, ConnectLimitError } from '../../src/errors.ts';
import { countListing } from '../../src/connect/listing-count.ts';
import { readConnectorListing } from '../../src/connect/listing.ts';
import { createListingDecoder, type ListingDecoder } from '../../src/connect/listing-decoder.ts';
import { sample } from './captures.ts';

const NO_STOP = { connectors: Number.MAX_SAFE_INTEGER, tasks: Number.MAX_SAFE_INTEGER };
const WIDE = { maxConnectors: 1_000_000, maxTasks: 1_000_000 };

function bytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** A status listing as Connect writes it (`?expand=status&expand=info`), with `tasks[i]` tasks for connector i. */
function listingText(tasks: readonly number[], name = (i: number) => `c-${i}`): string {
  const entries = tasks.map((count, i) => {
    const taskList = Array.from({ length: count }, (_, id) => ({ id, state: 'RUNNING', worker_id: 'w:8083' }));
    return [
      name(i),
      {
        status: { name: name(i), connector: { state: 'RUNNING', worker_id: 'w:8083' }, tasks: taskList, type: 'source' },
        info: { name: name(i), config: { 'connector.class': 'X', tasks: '{"status":{"tasks":[{}]}}' }, tasks: [], type: 'source' },
      },
    ];
  });
  return JSON.stringify(Object.fromEntries(entries));
}

describe('countListing', () => {
  it('counts the connectors and tasks of a captured answer', () => {
    const text = sample('expand/11-replicator-expand-status-task-failed.json');
    const parsed = JSON.parse(text) as Record<string, { status: { tasks: unknown[] } }>;
    const tasks = Object.values(parsed).reduce((sum, entry) => sum + entry.status.tasks.length, 0);
    expect(countListing(bytes(text), NO_STOP)).toEqual({ connectors: Object.keys(parsed).length, tasks });
  });

  it('counts what JSON.parse sees, whatever the names, nesting and task counts', () => {
    const names = fc.string({ unit: 'binary', maxLength: 12 });
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(names, fc.nat(5)), { selector: ([name]) => name, maxLength: 20 }), (entries) => {
        const text = listingText(
          entries.map(([, count]) => count),
          (i) => entries[i]![0],
        );
        const total = entries.reduce((sum, [, count]) => sum + count, 0);
        expect(countListing(bytes(text), NO_STOP)).toEqual({ connectors: entries.length, tasks: total });
      }),
    );
  });

  it('counts the elements of the array older Kafka answers, the empty one included', () => {
    expect(countListing(bytes('["a", "b,c", "d"]'), NO_STOP)).toEqual({ connectors: 3, tasks: 0 });
    expect(countListing(bytes(' [ ] '), NO_STOP)).toEqual({ connectors: 0, tasks: 0 });
    expect(countListing(bytes('{}'), NO_STOP)).toEqual({ connectors: 0, tasks: 0 });
  });

  it('stops just past a bound instead of reading on', () => {
    const text = listingText(Array.from({ length: 1000 }, () => 1));
    expect(countListing(bytes(text), { connectors: 10, tasks: NO_STOP.tasks }).connectors).toBe(11);
    expect(countListing(bytes(text), { connectors: NO_STOP.connectors, tasks: 5 }).tasks).toBe(6);
  });
});

describe('readConnectorListing', () => {
  it('refuses an answer past maxConnectors before parsing it, naming the bound and the count', () => {
    // Not even JSON after the first entries: the count alone refuses it.
    const text = `${listingText([0, 0, 0]).slice(0, -1)},"broken": [[[`;
    const err = catchError(() => readConnectorListing(bytes(text), 'prod', { maxConnectors: 2, maxTasks: 10 }));
    expect(err).toBeInstanceOf(ConnectLimitError);
    expect(err).toMatchObject({ code: 'CS_ERR_CONNECT_LIMIT', cluster: 'prod', limit: 'maxConnectors', found: 3, allowed: 2 });
    expect((err as Error).message).toContain('maxConnectors');
  });

  it('refuses an answer past maxTasks', () => {
    const err = catchError(() => readConnectorListing(bytes(listingText([3, 3])), 'prod', { maxConnectors: 10, maxTasks: 5 }));
    expect(err).toMatchObject({ limit: 'maxTasks', found: 6, allowed: 5 });
  });

  it('still applies the limits to what it decoded when escapes hide keys from the count', () => {
    // "t\u0061sks" is "tasks" once parsed; the byte count cannot see it.
    const text = listingText([4]).replace('"tasks":[{"id"', '"t\\u0061sks":[{"id"');
    expect(countListing(bytes(text), NO_STOP).tasks).toBe(0);
    expect(catchError(() => readConnectorListing(bytes(text), 'prod', { maxConnectors: 10, maxTasks: 3 }))).toMatchObject({
      limit: 'maxTasks',
      found: 4,
    });
  });

  it('decodes an answer within its limits, and reports a malformed one as a decode error', () => {
    const listing = readConnectorListing(bytes(listingText([2, 0])), 'prod', WIDE);
    expect(listing.kind === 'expanded' && listing.connectors.map((c) => [c.name, c.tasks.length])).toEqual([
      ['c-0', 2],
      ['c-1', 0],
    ]);
    expect(catchError(() => readConnectorListing(bytes('{"a": '), 'prod', WIDE))).toBeInstanceOf(ConnectDecodeError);
  });
});

describe('the listing decoder', () => {
  let decoder: ListingDecoder | undefined;
  afterEach(async () => {
    await decoder?.close();
    decoder = undefined;
  });

  it('gives off its thread exactly what decoding in place gives, across many batches', async () => {
    decoder = createListingDecoder({ offThreadFromBytes: 0 });
    // 3,000 connectors of 3 tasks: 12,000 units, several batches.
    const text = listingText(Array.from({ length: 3000 }, (_, i) => i % 4));
    const inPlace = readConnectorListing(bytes(text), 'prod', WIDE);
    expect(await decoder.decode(bytes(text), 'prod', WIDE)).toEqual(inPlace);
    expect(await decoder.decode(bytes('["a","b"]'), 'prod', WIDE)).toEqual(readConnectorListing(bytes('["a","b"]'), 'prod', WIDE));
  });

  it('brings limit and decode errors back from the thread with their class and fields', async () => {
    decoder = createListingDecoder({ offThreadFromBytes: 0 });
    await expect(decoder.decode(bytes(listingText([1, 1, 1])), 'prod', { maxConnectors: 2, maxTasks: 10 })).rejects.toMatchObject({
      constructor: ConnectLimitError,
      cluster: 'prod',
      limit: 'maxConnectors',
      found: 3,
      allowed: 2,
    });
    await expect(decoder.decode(bytes('{"a": 1'), 'prod', WIDE)).rejects.toBeInstanceOf(ConnectDecodeError);
  });

  it('decodes several listings at once without mixing them up', async () => {
    decoder = createListingDecoder({ offThreadFromBytes: 0 });
    const sizes = [[1, 2], Array.from({ length: 2000 }, () => 2), [5]];
    const results = await Promise.all(sizes.map((tasks) => decoder!.decode(bytes(listingText(tasks)), 'prod', WIDE)));
    expect(results.map((listing) => (listing.kind === 'expanded' ? listing.connectors.length : -1))).toEqual([2, 2000, 1]);
  });

  it('fails what is pending when closed, and a closed decoder can start again', async () => {
    decoder = createListingDecoder({ offThreadFromBytes: 0 });
    const pending = decoder.decode(bytes(listingText(Array.from({ length: 5000 }, () => 1))), 'prod', WIDE);
    const failed = expect(pending).rejects.toThrow('closed');
    await decoder.close();
    await failed;
    expect((await decoder.decode(bytes(listingText([1])), 'prod', WIDE)).kind).toBe('expanded');
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}
