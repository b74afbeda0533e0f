// Pure: counts the connectors and tasks of a status listing on its raw bytes, before anything is parsed. Parsing a
// 57 MB answer of a million minimal connectors builds about a gigabyte of objects; counting first refuses it for
// the price of one pass over the bytes, with nothing allocated.
//
// The count is of what was sent: entries of the top-level object (or array, before Kafka 2.3), and elements of
// each entry's `status.tasks`. Keys written with escapes are not recognised here; the exact count after decoding
// (listing.ts) still applies the limits to those.

export interface ListingCount {
  /** Top-level entries: connectors. */
  connectors: number;
  /** Elements of `status.tasks` arrays. */
  tasks: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/** Keys are compared only when this short, which `status` and `tasks` are. */
const MAX_COMPARED_KEY = 8;
const STATUS = 'status';
const TASKS = 'tasks';

/**
 * Counts up to just past `stopAbove` (either count over its bound ends the pass: the answer is refused anyway).
 * Malformed input is counted as far as it goes; JSON.parse gives the verdict on it.
 */
export function countListing(bytes: Uint8Array, stopAbove: ListingCount): ListingCount {
  const count: ListingCount = { connectors: 0, tasks: 0 };
  // Per depth (1 = inside the top-level value): whether it is an array, and the key of the member being read.
  const isArray: boolean[] = [];
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  let topIsArray = false;
  let topArrayEmpty = true;
  for (let index = 0; index < bytes.length; index += 1) {
    const byte = bytes[index]!;
    if (byte === QUOTE) {
      const start = index + 1;
      let escaped = false;
      for (index = start; index < bytes.length; index += 1) {
        const inner = bytes[index]!;
        if (inner === BACKSLASH) {
          escaped = true;
          index += 1;
        } else if (inner === QUOTE) {
          break;
        }
      }
      if (depth === 1 && topIsArray) topArrayEmpty = false;
      if (expectKey) {
        expectKey = false;
        const length = index - start;
        keys[depth] = !escaped && length <= MAX_COMPARED_KEY ? String.fromCharCode(...bytes.subarray(start, index)) : '';
        if (depth === 1 && !topIsArray) count.connectors += 1;
      }
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (depth === 1 && topIsArray) topArrayEmpty = false;
      // A task: an object directly inside an entry's status.tasks (top object → entry → status → tasks → task).
      if (byte === OPEN_OBJECT && depth === 4 && !topIsArray && isArray[4] === true && keys[3] === TASKS && keys[2] === STATUS) {
        count.tasks += 1;
      }
      depth += 1;
      isArray[depth] = byte === OPEN_ARRAY;
      keys[depth] = '';
      expectKey = byte === OPEN_OBJECT;
      if (depth === 1) topIsArray = byte === OPEN_ARRAY;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth -= 1;
      expectKey = false;
      if (depth <= 0) break;
    } else if (byte === COMMA) {
      expectKey = isArray[depth] === false;
      if (depth === 1 && topIsArray) count.connectors += 1;
    } else if (depth === 1 && topIsArray && byte > 0x20) {
      topArrayEmpty = false;
    }
    if (count.connectors > stopAbove.connectors || count.tasks > stopAbove.tasks) break;
  }
  // In an array the commas were counted: one more element than commas, unless it was empty.
  if (topIsArray && !topArrayEmpty) count.connectors += 1;
  return count;
}
