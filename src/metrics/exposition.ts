// The /metrics body: the per-poll families of every cluster (rendered at poll time), then the exporter's own
// prom-client metrics. A scrape never waits for a poll and never calls Kafka Connect: it serves the per-poll part as
// the last polls left it, and appends the small self-metrics text.
//
// The per-poll part is kept as the renders hold it, connector by connector. Prometheus asks for gzip: a published
// change is compressed once, in the thread pool, as one stream (changes that arrive meanwhile are taken together by
// the next one), and the 48 MB plain text of 10,000 connectors is never joined unless a scraper asks for it.

import { METRICS, POLL_FAMILIES, type PollFamily } from './catalogue.ts';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { gzipFinishChunks, gzipHead, type GzipHead } from './gzip.ts';
import { familyLength, familyRanges, type ByteRange, type ClusterRender } from './render.ts';
import { CONTENT_TYPES, OPENMETRICS_EOF, escapeLabelValue, familyHeader, type ExpositionFormat } from './exposition-text.ts';

/** connect-sentinel's own metrics (src/metrics/self.ts), appended to every body after the per-poll part. */
export interface SelfMetricsText {
  text(format: ExpositionFormat): Promise<string>;
}

/**
 * A body as the list of buffers it is made of, for a server to write one after another: joining 48 MB into one
 * Buffer per scrape would copy it all on the event loop. The buffers are shared with the exposition: never modify them.
 */
export interface ExpositionChunks {
  contentType: string;
  chunks: readonly Buffer[];
  /** Total bytes of the chunks (the Content-Length). */
  length: number;
}

export type ContentEncoding = 'identity' | 'gzip';

const POLL_HEADERS: Readonly<Record<ExpositionFormat, ReadonlyMap<PollFamily, Buffer>>> = {
  prometheus: pollHeaders('prometheus'),
  openmetrics: pollHeaders('openmetrics'),
};

function pollHeaders(format: ExpositionFormat): ReadonlyMap<PollFamily, Buffer> {
  return new Map(POLL_FAMILIES.map((family) => [family, Buffer.from(familyHeader(METRICS[family], format))]));
}

/** Per-poll families are gauges with plain help, so both formats usually share one joined body (and its memory). */
const HEADERS_SHARED = POLL_FAMILIES.every((family) =>
  POLL_HEADERS.prometheus.get(family)?.equals(POLL_HEADERS.openmetrics.get(family) ?? Buffer.alloc(0)),
);

/** Bytes copied at a time when the part is written out: about a millisecond between two turns of the event loop. */
const SLAB_BYTES = 1024 * 1024;

/** The per-poll part as of one change: what a scrape serves, and its bodies once worked out. */
interface Snapshot {
  readonly generation: number;
  /** Sorted by name. */
  readonly clusters: readonly ClusterRender[];
  /** By format key: the part compressed, or joined as plain text; worked out on first use, kept with the snapshot. */
  readonly gzip: Map<ExpositionFormat, Promise<GzipHead>>;
  readonly plain: Map<ExpositionFormat, Promise<Buffer>>;
}

export class Exposition {
  readonly #self: SelfMetricsText;
  /** The newest render of each cluster, by its label value: two names that encode alike are one cluster. */
  readonly #latest = new Map<string, ClusterRender>();
  #generation = 0;
  /** What scrapes serve: never older than a snapshot served before. */
  #served: Snapshot;
  /** The snapshot being compressed for publish(), and the one queued behind it (taken when it starts). */
  #compressing: Promise<Snapshot> | undefined;
  #queued: Promise<Snapshot> | undefined;

  constructor(self: SelfMetricsText) {
    this.#self = self;
    this.#served = this.#snapshot();
  }

  /**
   * Hands over a poll's render. Resolves once it is served, compressed for gzip scrapes: until then scrapes serve
   * the previous part at once, instead of making the first gzip scrape after a poll wait for its compression.
   */
  async publish(rendered: ClusterRender): Promise<void> {
    this.#latest.set(escapeLabelValue(rendered.cluster), rendered);
    this.#generation += 1;
    const snapshot = await this.#compressLatest();
    if (snapshot.generation > this.#served.generation) this.#served = snapshot;
  }

  /** Replaces everything known about the cluster at once (its gzip part is compressed by the next gzip scrape). */
  setCluster(rendered: ClusterRender): void {
    this.#latest.set(escapeLabelValue(rendered.cluster), rendered);
    this.#serveLatest();
  }

  /** The render of the cluster last handed over, for the next render of it to reuse (renderClusterReusing). */
  lastRender(cluster: string): ClusterRender | undefined {
    return this.#latest.get(escapeLabelValue(cluster));
  }

  /** The cluster was removed from the config: none of its per-poll series is served any more. */
  deleteCluster(cluster: string): void {
    if (this.#latest.delete(escapeLabelValue(cluster))) this.#serveLatest();
  }

  /** The body as the list of its buffers, what the HTTP server writes. */
  async renderChunks(format: ExpositionFormat, encoding: ContentEncoding = 'identity'): Promise<ExpositionChunks> {
    // Taken before the await: a poll finishing meanwhile does not mix into this body.
    const served = this.#served;
    const contentType = CONTENT_TYPES[format];
    if (encoding === 'gzip') {
      const head = this.#gzipOf(served, format);
      const tail = await this.#selfPart(format);
      return { contentType, ...gzipFinishChunks(await head, tail) };
    }
    const part = await this.#plainOf(served, format);
    const tail = await this.#selfPart(format);
    return { contentType, chunks: [part, tail], length: part.length + tail.length };
  }

  #serveLatest(): void {
    this.#generation += 1;
    this.#served = this.#snapshot();
  }

  #snapshot(): Snapshot {
    const clusters = [...this.#latest.values()].sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
    return { generation: this.#generation, clusters, gzip: new Map(), plain: new Map() };
  }

  /** A snapshot of the newest renders, compressed: one at a time, the renders handed over meanwhile taken together. */
  #compressLatest(): Promise<Snapshot> {
    const running = this.#compressing;
    if (running === undefined) return this.#startCompressing();
    this.#queued ??= running.then(
      () => this.#startQueued(),
      () => this.#startQueued(),
    );
    return this.#queued;
  }

  #startQueued(): Promise<Snapshot> {
    this.#queued = undefined;
    return this.#startCompressing();
  }

  #startCompressing(): Promise<Snapshot> {
    const snapshot = this.#snapshot();
    // A failure is served all the same: the gzip scrape that needs it compresses again.
    const done = this.#gzipOf(snapshot, 'prometheus').then(
      () => snapshot,
      () => snapshot,
    );
    this.#compressing = done;
    void done.then(() => {
      if (this.#compressing === done) this.#compressing = undefined;
    });
    return done;
  }

  async #selfPart(format: ExpositionFormat): Promise<Buffer> {
    const text = await this.#self.text(format);
    return Buffer.from(format === 'openmetrics' ? text + OPENMETRICS_EOF : text, 'utf8');
  }

  #gzipOf(snapshot: Snapshot, format: ExpositionFormat): Promise<GzipHead> {
    return kept(snapshot.gzip, partKey(format), () => {
      // Each compression has a slab of its own, filled again for each piece it takes in.
      const slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      return gzipHead(slabs(snapshot.clusters, POLL_HEADERS[format], () => slab));
    });
  }

  #plainOf(snapshot: Snapshot, format: ExpositionFormat): Promise<Buffer> {
    return kept(snapshot.plain, partKey(format), () => joinPart(snapshot.clusters, POLL_HEADERS[format]));
  }
}

/** Both formats share one part when their headers are alike. */
function partKey(format: ExpositionFormat): ExpositionFormat {
  return HEADERS_SHARED ? 'prometheus' : format;
}

/** The value kept under `key`, made now if missing. A failure is not kept: the next call tries again. */
function kept<T>(cache: Map<ExpositionFormat, Promise<T>>, key: ExpositionFormat, make: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    const made = value;
    made.catch(() => {
      if (cache.get(key) === made) cache.delete(key);
    });
    cache.set(key, made);
  }
  return value;
}

/** The part as one Buffer, copied a slab at a time with a turn of the event loop between slabs. */
async function joinPart(clusters: readonly ClusterRender[], headers: ReadonlyMap<PollFamily, Buffer>): Promise<Buffer> {
  let total = 0;
  for (const family of POLL_FAMILIES) {
    const bytes = clusters.reduce((sum, cluster) => sum + familyLength(cluster, family), 0);
    if (bytes > 0) total += bytes + (headers.get(family)?.length ?? 0);
  }
  const joined = Buffer.allocUnsafeSlow(total);
  let at = 0;
  for (const slab of slabs(clusters, headers, () => joined.subarray(at, Math.min(at + SLAB_BYTES, total)))) {
    at += slab.length;
    await nextTurn();
  }
  return joined;
}

/**
 * The part's bytes in slabs: each family's header once, then that family's lines of every cluster, so that no family
 * is split. `nextSlab` gives the Buffer to fill next; each is yielded once full (the last one as far as it is filled).
 */
function* slabs(clusters: readonly ClusterRender[], headers: ReadonlyMap<PollFamily, Buffer>, nextSlab: () => Buffer): Generator<Buffer, void, void> {
  let slab = nextSlab();
  let used = 0;
  for (const range of partRanges(clusters, headers)) {
    for (let from = range.start; from < range.end; ) {
      if (used === slab.length) {
        yield slab;
        slab = nextSlab();
        used = 0;
        if (slab.length === 0) throw new Error('the exposition part outgrew the space worked out for it');
      }
      const copied = range.bytes.copy(slab, used, from, range.end);
      used += copied;
      from += copied;
    }
  }
  if (used > 0) yield slab.subarray(0, used);
}

function* partRanges(clusters: readonly ClusterRender[], headers: ReadonlyMap<PollFamily, Buffer>): Generator<ByteRange, void, void> {
  for (const family of POLL_FAMILIES) {
    if (!clusters.some((cluster) => familyLength(cluster, family) > 0)) continue;
    const header = headers.get(family) ?? Buffer.alloc(0);
    yield { bytes: header, start: 0, end: header.length };
    for (const cluster of clusters) yield* familyRanges(cluster, family);
  }
}
