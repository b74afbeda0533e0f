// A Kafka Connect worker on a raw TCP socket, so a test can make it misbehave in ways no HTTP server library allows:
// never answer, reset mid-body, trickle bytes, stream without end, lie about lengths, send HTML or broken JSON.
// Without a fault it answers like a small Connect cluster (3.9 with `?expand`, or 2.2 without it when `legacy`).

import { createServer, type AddressInfo, type Socket } from 'node:net';

export interface SeenRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  headers: Record<string, string>;
}

export type Fault =
  /** Accept the request and never answer. */
  | { kind: 'hang' }
  /** Close the connection as soon as the request arrives. */
  | { kind: 'reset' }
  /** Declare `body`'s length, send its first half, then reset. */
  | { kind: 'reset-mid-body'; body: string }
  /** Send `body` one byte every `everyMs`. */
  | { kind: 'trickle'; body: string; everyMs: number }
  /** Stream filler bytes until the client goes away; with `declareLength`, announce that length up front. */
  | { kind: 'endless'; declareLength?: number }
  /** Any status and body. */
  | { kind: 'answer'; status: number; body: string | Buffer; contentType?: string | undefined; headers?: Record<string, string> };

export interface FakeTask {
  state: string;
  trace?: string;
}

export interface FakeConnector {
  state: string;
  tasks: FakeTask[];
  config?: Record<string, string>;
  trace?: string;
}

export interface FaultServer {
  readonly url: string;
  readonly requests: SeenRequest[];
  /** Connectors as the healthy worker reports them, by name. */
  connectors: Map<string, FakeConnector>;
  /** Answer as Kafka 2.2 (no `?expand`, no `/health`). */
  legacy: boolean;
  /** Decides the answer to each request; return undefined to answer as the healthy worker. */
  fault: (request: SeenRequest) => Fault | undefined;
  /** Sockets currently open (hung requests keep theirs). */
  readonly openSockets: number;
  /** Restart POSTs received so far. */
  restartPosts(): SeenRequest[];
  /** Body bytes written by `endless` faults so far. */
  readonly endlessBytesSent: number;
  close(): Promise<void>;
}

const CRLF = '\r\n';
const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 202: 'Accepted', 204: 'No Content', 307: 'Temporary Redirect', 401: 'Unauthorized', 404: 'Not Found',
  409: 'Conflict', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

export function json(status: number, value: unknown): Fault {
  return { kind: 'answer', status, body: JSON.stringify(value), contentType: 'application/json' };
}

/** Only the status poll (`GET /connectors…`) misbehaves; everything else answers normally. */
export function onStatusPoll(fault: Fault): (request: SeenRequest) => Fault | undefined {
  return (request) => (request.method === 'GET' && /^\/connectors(\?|$)/.test(request.url) ? fault : undefined);
}

export async function startFaultServer(connectors: Record<string, FakeConnector> = {}): Promise<FaultServer> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let endlessBytesSent = 0;

  const state = {
    connectors: new Map(Object.entries(connectors)),
    legacy: false,
    fault: (() => undefined) as FaultServer['fault'],
  };

  const write = (socket: Socket, status: number, headers: Record<string, string>, body?: Buffer) => {
    const head = [`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Status'}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    socket.write(head.join(CRLF) + CRLF + CRLF);
    if (body !== undefined && body.length > 0) socket.write(body);
  };

  const answer = (socket: Socket, status: number, body: string | Buffer, contentType?: string, extra: Record<string, string> = {}) => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    write(socket, status, { ...(contentType ? { 'content-type': contentType } : {}), 'content-length': String(bytes.length), ...extra }, bytes);
  };

  const perform = (socket: Socket, fault: Fault) => {
    switch (fault.kind) {
      case 'hang':
        return;
      case 'reset':
        socket.resetAndDestroy();
        return;
      case 'reset-mid-body': {
        const bytes = Buffer.from(fault.body);
        write(socket, 200, { 'content-type': 'application/json', 'content-length': String(bytes.length) }, bytes.subarray(0, bytes.length >> 1));
        const timer = setTimeout(() => socket.resetAndDestroy(), 20);
        timers.add(timer);
        return;
      }
      case 'trickle': {
        const bytes = Buffer.from(fault.body);
        write(socket, 200, { 'content-type': 'application/json', 'content-length': String(bytes.length) });
        let sent = 0;
        const timer = setInterval(() => {
          if (socket.destroyed || sent >= bytes.length) {
            clearInterval(timer);
            timers.delete(timer);
            return;
          }
          socket.write(bytes.subarray(sent, sent + 1));
          sent += 1;
        }, fault.everyMs);
        timers.add(timer);
        return;
      }
      case 'endless': {
        write(socket, 200, {
          'content-type': 'application/json',
          ...(fault.declareLength === undefined ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(fault.declareLength) }),
        });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const framed = fault.declareLength === undefined ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from(CRLF)]) : chunk;
        // Write while the socket takes it; resume on drain; stop when the client hangs up.
        const pump = () => {
          for (;;) {
            if (socket.destroyed) return;
            endlessBytesSent += chunk.length;
            if (!socket.write(framed)) return;
          }
        };
        socket.on('drain', pump);
        pump();
        return;
      }
      case 'answer':
        answer(socket, fault.status, fault.body, fault.contentType, fault.headers);
        return;
    }
  };

  const healthy = (socket: Socket, request: SeenRequest) => {
    const sendJson = (value: unknown, status = 200) => answer(socket, status, JSON.stringify(value), 'application/json');
    const [path = '', query = ''] = request.url.split('?', 2);
    const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (request.method === 'POST' && segments.at(-1) === 'restart') return answer(socket, 204, '');
    if (path === '/') return sendJson({ version: state.legacy ? '2.2.2' : '3.9.0', commit: 'c0ffee', ...(state.legacy ? {} : { kafka_cluster_id: 'k1' }) });
    if (path === '/connector-plugins') return sendJson([]);
    if (path === '/health' && !state.legacy) return sendJson({ status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' });
    if (segments[0] === 'connectors' && segments.length === 1) {
      const names = [...state.connectors.keys()];
      if (state.legacy || !query.includes('expand')) return sendJson(names);
      return sendJson(Object.fromEntries(names.map((name) => [name, { status: statusOf(name, state.connectors.get(name)!), info: infoOf(name, state.connectors.get(name)!) }])));
    }
    const connector = segments[1] === undefined ? undefined : state.connectors.get(segments[1]);
    if (segments[0] === 'connectors' && connector !== undefined) {
      if (segments.length === 2) return sendJson(infoOf(segments[1]!, connector));
      if (segments[2] === 'status') return sendJson(statusOf(segments[1]!, connector));
    }
    return sendJson({ error_code: 404, message: `Unknown path ${path}` }, 404);
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        const request = parseHead(buffered.subarray(0, end).toString('latin1'));
        const length = Number(request.headers['content-length'] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.subarray(end + 4 + length);
        requests.push(request);
        const fault = state.fault(request);
        if (fault === undefined) healthy(socket, request);
        else perform(socket, fault);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get connectors() {
      return state.connectors;
    },
    set connectors(value) {
      state.connectors = value;
    },
    get legacy() {
      return state.legacy;
    },
    set legacy(value) {
      state.legacy = value;
    },
    get fault() {
      return state.fault;
    },
    set fault(value) {
      state.fault = value;
    },
    get openSockets() {
      return sockets.size;
    },
    get endlessBytesSent() {
      return endlessBytesSent;
    },
    restartPosts: () => requests.filter((r) => r.method === 'POST'),
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parseHead(head: string): SeenRequest {
  const [requestLine = '', ...headerLines] = head.split(CRLF);
  const [method = '', url = ''] = requestLine.split(' ');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { method, url, headers };
}

const TRACE = (cls: string) => `${cls}: boom\n\tat org.example.Thing.run(Thing.java:1)\n`;

function statusOf(name: string, connector: FakeConnector) {
  return {
    name,
    connector: { state: connector.state, worker_id: 'w1:8083', ...(connector.trace ? { trace: connector.trace } : {}) },
    tasks: connector.tasks.map((task, id) => ({
      id,
      state: task.state,
      worker_id: 'w1:8083',
      ...(task.state === 'FAILED' ? { trace: task.trace ?? TRACE('org.apache.kafka.connect.errors.ConnectException') } : {}),
    })),
    type: 'source',
  };
}

function infoOf(name: string, connector: FakeConnector) {
  return {
    name,
    config: { 'connector.class': 'org.example.FileSource', name, ...connector.config },
    tasks: connector.tasks.map((_, task) => ({ connector: name, task })),
    type: 'source',
  };
}

export { refusedUrl } from '../support/network.ts';

/** `count` connectors of one RUNNING task each: `c000`, `c001`, … */
export function runningConnectors(count: number, tasks = 1): Record<string, FakeConnector> {
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => [`c${String(i).padStart(3, '0')}`, { state: 'RUNNING', tasks: Array.from({ length: tasks }, () => ({ state: 'RUNNING' })) }]),
  );
}

/**
 * The tasks of the first connector FAILED: any poll whose data were trusted would now restart them. One connector of
 * several, so that the circuit breaker (which counts failing connectors) stays closed.
 */
export function failFirstConnector(server: FaultServer): void {
  const first = server.connectors.values().next().value;
  for (const task of first?.tasks ?? []) task.state = 'FAILED';
}
