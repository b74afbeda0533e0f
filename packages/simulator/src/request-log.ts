// Every request the simulator answered, so tests and benchmarks can count calls (e.g. requests per poll).

export interface LoggedRequest {
  method: string;
  /** The path as sent, still percent-encoded, without the query. */
  path: string;
  /** The raw query string without `?`; '' when there is none. */
  query: string;
  status: number;
  /** Unix ms from the simulator's clock when the answer was sent. */
  at: number;
}

export type RequestFilter =
  | { method?: string; path?: string | RegExp; status?: number }
  | ((request: LoggedRequest) => boolean);

export const DEFAULT_REQUEST_LOG_LIMIT = 100_000;

export class RequestLog {
  readonly #limit: number;
  #entries: LoggedRequest[] = [];

  constructor(limit = DEFAULT_REQUEST_LOG_LIMIT) {
    this.#limit = limit;
  }

  /** Oldest first; at most the limit given to the simulator (the oldest are dropped). */
  get entries(): readonly LoggedRequest[] {
    return this.#entries;
  }

  count(filter?: RequestFilter): number {
    if (filter === undefined) return this.#entries.length;
    return this.#entries.filter(typeof filter === 'function' ? filter : matcher(filter)).length;
  }

  reset(): void {
    this.#entries = [];
  }

  record(request: LoggedRequest): void {
    this.#entries.push(request);
    // Drop in batches so a long benchmark does not shift the array on every request.
    if (this.#entries.length > this.#limit * 1.1) this.#entries = this.#entries.slice(-this.#limit);
  }
}

function matcher(filter: { method?: string; path?: string | RegExp; status?: number }): (request: LoggedRequest) => boolean {
  return (request) =>
    (filter.method === undefined || request.method === filter.method.toUpperCase()) &&
    (filter.status === undefined || request.status === filter.status) &&
    (filter.path === undefined ||
      (typeof filter.path === 'string' ? request.path === filter.path : filter.path.test(request.path)));
}
