// The /metrics body: the per-poll families of every cluster (rendered at poll time), then the exporter's own
// prom-client metrics. A scrape never waits for a poll and never calls Kafka Connect: it serves the buffers rendered
// at the last polls, in an order worked out once per change, and appends the small self-metrics text.

import { METRICS, POLL_FAMILIES, type PollFamily } from './catalogue.ts';
import { gzipFinishChunks, joinPieces, type GzipHead } from './gzip.ts';
import { PieceCache } from './piece-cache.ts';
import type { ClusterRender } from './render.ts';
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

export class Exposition {
  readonly #self: SelfMetricsText;
  /** By the cluster's label value: two names that encode alike (lone surrogates) are one cluster in the output. */
  readonly #clusters = new Map<string, ClusterRender>();
  /**
   * By format: the buffers of the per-poll part in output order; emptied by every change. The list, not one joined
   * buffer, is what is kept: a scrape copies every byte once either way, and a joined copy would double the memory.
   */
  readonly #parts = new Map<ExpositionFormat, ClusterPart>();
  /** By format: the per-poll part compressed, for gzip scrapes; assembled once per change from compressed pieces. */
  readonly #gzipHeads = new Map<ExpositionFormat, Promise<GzipHead>>();
  readonly #compressed = new PieceCache();

  constructor(self: SelfMetricsText) {
    this.#self = self;
  }

  /** Replaces everything known about the cluster: connectors missing from `rendered` disappear from the output. */
  setCluster(rendered: ClusterRender): void {
    this.#clusters.set(escapeLabelValue(rendered.cluster), rendered);
    this.#invalidate();
    // Compressing now, not at the next gzip scrape, has the new pieces ready (or nearly) when it comes. A failure
    // surfaces at that scrape, which tries again.
    for (const pieces of rendered.pieces.values()) {
      for (const piece of pieces) this.#compressed.get(piece).catch(() => {});
    }
  }

  /**
   * Resolves once every piece of `rendered` is compressed (unchanged pieces already are). Awaited before setCluster,
   * it keeps the previous render served, at once, while the new one is compressed, instead of making the first gzip
   * scrape after a poll wait for it. A piece that failed is compressed again by the scrape that needs it.
   */
  async compress(rendered: ClusterRender): Promise<void> {
    const pieces = [...rendered.pieces.values()].flat();
    await Promise.allSettled(pieces.map((piece) => this.#compressed.get(piece)));
  }

  /** The poll render of the cluster now served, for the next render of it to reuse (renderClusterReusing). */
  lastRender(cluster: string): ClusterRender | undefined {
    return this.#clusters.get(escapeLabelValue(cluster));
  }

  /** The cluster was removed from the config: none of its per-poll series is served any more. */
  deleteCluster(cluster: string): void {
    if (this.#clusters.delete(escapeLabelValue(cluster))) this.#invalidate();
  }

  /**
   * The body as the list of its buffers, what the HTTP server writes. With gzip (Prometheus always accepts it),
   * only the self-metrics are compressed per scrape; each piece of the per-poll part is compressed once, when a
   * poll hands it over.
   */
  async renderChunks(format: ExpositionFormat, encoding: ContentEncoding = 'identity'): Promise<ExpositionChunks> {
    // Taken before the await: a poll finishing meanwhile does not mix into this body.
    const contentType = CONTENT_TYPES[format];
    if (encoding === 'gzip') {
      const head = this.#gzipHead(format);
      const tail = await this.#selfPart(format);
      return { contentType, ...gzipFinishChunks(await head, tail) };
    }
    const clusterPart = this.#clusterPart(format);
    const tail = await this.#selfPart(format);
    return { contentType, chunks: [...clusterPart.buffers, tail], length: clusterPart.bytes + tail.length };
  }

  #invalidate(): void {
    this.#parts.clear();
    this.#gzipHeads.clear();
  }

  async #selfPart(format: ExpositionFormat): Promise<Buffer> {
    const text = await this.#self.text(format);
    return Buffer.from(format === 'openmetrics' ? text + OPENMETRICS_EOF : text, 'utf8');
  }

  #gzipHead(format: ExpositionFormat): Promise<GzipHead> {
    const key: ExpositionFormat = HEADERS_SHARED ? 'prometheus' : format;
    let head = this.#gzipHeads.get(key);
    if (head === undefined) {
      const part = this.#clusterPart(format);
      const assembling = Promise.all(part.buffers.map((buffer) => this.#compressed.get(buffer))).then(joinPieces);
      // A failure is not kept: the next scrape tries again.
      assembling.catch(() => {
        if (this.#gzipHeads.get(key) === assembling) this.#gzipHeads.delete(key);
      });
      this.#gzipHeads.set(key, assembling);
      head = assembling;
    }
    return head;
  }

  #clusterPart(format: ExpositionFormat): ClusterPart {
    const key: ExpositionFormat = HEADERS_SHARED ? 'prometheus' : format;
    let part = this.#parts.get(key);
    if (part === undefined) {
      part = orderClusterPart([...this.#clusters.values()], POLL_HEADERS[format]);
      this.#parts.set(key, part);
    }
    return part;
  }
}

interface ClusterPart {
  readonly buffers: readonly Buffer[];
  readonly bytes: number;
}

/** Each family's header once, then that family's lines of every cluster (sorted by name), so no family is split. */
function orderClusterPart(clusters: ClusterRender[], headers: ReadonlyMap<PollFamily, Buffer>): ClusterPart {
  clusters.sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
  const buffers: Buffer[] = [];
  let bytes = 0;
  for (const family of POLL_FAMILIES) {
    const lines = clusters.flatMap((cluster) => cluster.pieces.get(family) ?? []);
    if (lines.length === 0) continue;
    for (const buffer of [headers.get(family) ?? Buffer.alloc(0), ...lines]) {
      buffers.push(buffer);
      bytes += buffer.length;
    }
  }
  return { buffers, bytes };
}
