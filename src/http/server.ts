// connect-sentinel's HTTP surface. buildServer(deps) returns an un-listened fastify instance that tests drive with
// inject(); every dependency is a small port, so nothing here knows about Connect, polling or storage.

import { Readable } from 'node:stream';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ClusterView, TargetRef } from '../domain/model.ts';
import { ERROR_CODES, errorMessage, errorSummary, SentinelError, type ErrorCode } from '../errors.ts';
import { bearerTokenOf, isAuthorized, secretEquals, type WebCredentials } from './auth.ts';
import { landingPage } from './landing.ts';
import { negotiateFormat } from './negotiate.ts';
import { statusReport } from './status.ts';

export type MetricsFormat = 'prometheus' | 'openmetrics';

/** A body as the buffers it is made of, written one after another: no copy of the whole on the event loop. */
export interface MetricsChunks {
  contentType: string;
  chunks: readonly Buffer[];
  /** Total bytes of the chunks. */
  length: number;
}

export interface ExpositionPort {
  /** The body in `format`, gzip-compressed or not; the port may reuse compressed bytes between polls. */
  renderChunks(format: MetricsFormat, encoding: 'identity' | 'gzip'): Promise<MetricsChunks>;
}

export interface RestartControl {
  /** JSON-safe restart history for GET /api/v1/restarts. */
  list(filter: { cluster?: string | undefined; connector?: string | undefined }): unknown;
  /** Restart at the next poll regardless of backoff and budget. */
  restartNow(ref: TargetRef): Promise<void>;
  resetBudget(ref: TargetRef): Promise<void>;
  silence(target: { cluster: string; connector: string }, untilMs: number, reason: string | undefined): Promise<void>;
  unsilence(target: { cluster: string; connector: string }): Promise<void>;
}

export interface WebSecurity {
  /** Protects every endpoint but /-/healthy and /-/ready. */
  credentials: WebCredentials;
  /** Required by the write actions of /api/v1; without it they are refused. */
  apiToken?: string | undefined;
}

export interface ServerDeps {
  logger: Logger;
  version: string;
  exposition: ExpositionPort;
  views: () => readonly ClusterView[];
  restarts: RestartControl;
  /** Config loaded and every cluster polled at least once. */
  ready: () => boolean;
  /** Reloads the config; rejects with a SentinelError whose message says what is wrong. */
  reload: () => Promise<void>;
  security: () => WebSecurity;
  parseDuration: (text: string) => number;
  now: () => number;
  maxRequestBodyBytes: number;
  https?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer | undefined; requestCert?: boolean } | undefined;
}

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  CS_ERR_API_BAD_REQUEST: 400,
  CS_ERR_API_UNAUTHORIZED: 401,
  CS_ERR_API_FORBIDDEN: 403,
  CS_ERR_API_NOT_FOUND: 404,
  CS_ERR_STORE_IO: 503,
  CS_ERR_NOT_LEADER: 409,
  CS_ERR_CONFIG_INVALID: 500,
  CS_ERR_CONFIG_READ: 500,
};

const OPEN_PATHS = new Set(['/-/healthy', '/-/ready']);

const targetBody = {
  type: 'object',
  additionalProperties: false,
  required: ['cluster', 'connector'],
  properties: {
    cluster: { type: 'string', minLength: 1, maxLength: 256 },
    connector: { type: 'string', minLength: 1, maxLength: 1024 },
    task: { type: 'integer', minimum: 0, maximum: 100_000 },
  },
} as const;

const silenceBody = {
  type: 'object',
  additionalProperties: false,
  required: ['cluster', 'connector', 'duration'],
  properties: {
    cluster: { type: 'string', minLength: 1, maxLength: 256 },
    connector: { type: 'string', minLength: 1, maxLength: 1024 },
    duration: { type: 'string', minLength: 1, maxLength: 32 },
    reason: { type: 'string', maxLength: 512 },
  },
} as const;

interface TargetBody { cluster: string; connector: string; task?: number }
interface SilenceBody { cluster: string; connector: string; duration: string; reason?: string }

function toRef(body: TargetBody): TargetRef {
  return body.task === undefined
    ? { cluster: body.cluster, connector: body.connector }
    : { cluster: body.cluster, connector: body.connector, task: body.task };
}

/** The chunks as a stream, all queued at once (they are in memory already): the response writes each as it is. */
function chunkStream(chunks: readonly Buffer[]): Readable {
  return new Readable({
    read() {
      for (const chunk of chunks) if (chunk.length > 0) this.push(chunk);
      this.push(null);
    },
  });
}

export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger,
    // One line per scrape would drown everything else; failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.maxRequestBodyBytes,
    // fastify's default (0) lets a client trickle a body forever, holding a connection; the whole request must arrive in 60 s.
    requestTimeout: 60_000,
    // Query strings and paths are bounded too: nothing we serve needs long ones.
    routerOptions: { maxParamLength: 1024 },
    // Unknown fields are errors, not silently dropped (fastify's default removes them).
    ajv: { customOptions: { removeAdditional: false } },
    ...(deps.https ? { https: deps.https } : {}),
  }) as unknown as FastifyInstance;

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown; code?: string }, _req, reply) => {
    if (err instanceof SentinelError) {
      return reply.code(HTTP_STATUS[err.code] ?? 500).send({ error: err.code, message: err.message });
    }
    if (err.validation) {
      return reply.code(400).send({ error: 'CS_ERR_API_BAD_REQUEST', message: err.message });
    }
    // fastify's own refusals (unparsable JSON, a body over the limit, another content type) keep their status but
    // answer with our codes, so that API clients see one set of codes.
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      deps.logger.error({ err: errorSummary(err) }, 'Request failed');
      return reply.code(500).send({ error: 'CS_ERR_INTERNAL', message: ERROR_CODES.CS_ERR_INTERNAL });
    }
    return reply.code(status).send({ error: status === 413 ? 'CS_ERR_API_TOO_LARGE' : 'CS_ERR_API_BAD_REQUEST', message: err.message });
  });

  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'CS_ERR_API_NOT_FOUND', message: ERROR_CODES.CS_ERR_API_NOT_FOUND }));

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?', 1)[0]!;
    if (OPEN_PATHS.has(path)) return;
    if (!isAuthorized(req.headers.authorization, deps.security().credentials)) {
      const { credentials } = deps.security();
      if (credentials.basicAuth) reply.header('www-authenticate', 'Basic realm="connect-sentinel"');
      return reply.code(401).send({ error: 'CS_ERR_API_UNAUTHORIZED', message: ERROR_CODES.CS_ERR_API_UNAUTHORIZED });
    }
  });

  /** Write actions need the API token on top of whatever protects the read endpoints; checked before the body is validated. */
  const requireApiToken = async (req: FastifyRequest): Promise<void> => {
    const { apiToken } = deps.security();
    if (apiToken === undefined) {
      throw new SentinelError('CS_ERR_API_FORBIDDEN', 'write actions are disabled: configure api.tokenFile to enable them');
    }
    // With web auth also configured, the Authorization header carries the web credentials; accept the API token in X-Api-Token too.
    const given = (req.headers['x-api-token'] as string | undefined) ?? bearerTokenOf(req.headers.authorization);
    if (given === undefined || !secretEquals(given, apiToken)) {
      throw new SentinelError('CS_ERR_API_UNAUTHORIZED', 'a valid API token is required for write actions');
    }
  };

  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(landingPage(deps.version)));

  app.get('/metrics', async (req, reply) => {
    const format = negotiateFormat(req.headers.accept);
    const encoding = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '') ? 'gzip' : 'identity';
    reply.header('vary', 'Accept, Accept-Encoding');
    if (encoding === 'gzip') reply.header('content-encoding', 'gzip');
    const { contentType, chunks, length } = await deps.exposition.renderChunks(format, encoding);
    // fastify keeps a Content-Length set by hand on a stream (and on HEAD, where the stream is not sent).
    return reply.header('content-type', contentType).header('content-length', length).send(chunkStream(chunks));
  });

  app.get('/-/healthy', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('connect-sentinel is healthy.\n'));
  app.get('/-/ready', async (_req, reply) =>
    deps.ready()
      ? reply.type('text/plain; charset=utf-8').send('connect-sentinel is ready.\n')
      : reply.code(503).type('text/plain; charset=utf-8').send('connect-sentinel is not ready: waiting for the first poll of every cluster.\n'),
  );

  const reload = async (_req: FastifyRequest, reply: FastifyReply) => {
    try {
      await deps.reload();
    } catch (err) {
      return reply.code(500).type('text/plain; charset=utf-8').send(`failed to reload config: ${errorMessage(err)}\n`);
    }
    return reply.type('text/plain; charset=utf-8').send('config reloaded\n');
  };
  // A cross-site page can send a POST with no body or a form's content type, but no custom header and no JSON
  // content type without the browser asking the server first (CORS preflight, which is never granted here).
  app.post('/-/reload', async (req, reply) => {
    const json = /^application\/json\b/i.test(req.headers['content-type'] ?? '');
    if (!json && req.headers['x-requested-with'] === undefined) {
      throw new SentinelError(
        'CS_ERR_API_BAD_REQUEST',
        'POST /-/reload needs an X-Requested-With header or a JSON content type (a cross-site form can send neither); PUT and SIGHUP reload too',
      );
    }
    return reload(req, reply);
  });
  app.put('/-/reload', reload);
  app.get('/-/reload', async (_req, reply) =>
    reply.code(405).header('allow', 'POST, PUT').type('text/plain; charset=utf-8').send('This endpoint requires a POST request.\n'),
  );

  app.get<{ Querystring: { cluster?: string; state?: string } }>(
    '/api/v1/status',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { cluster: { type: 'string', maxLength: 256 }, state: { type: 'string', maxLength: 32 } },
        },
      },
    },
    async (req) => statusReport(deps.views(), { cluster: req.query.cluster, state: req.query.state }),
  );

  app.get<{ Querystring: { cluster?: string; connector?: string } }>(
    '/api/v1/restarts',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { cluster: { type: 'string', maxLength: 256 }, connector: { type: 'string', maxLength: 1024 } },
        },
      },
    },
    async (req) => deps.restarts.list({ cluster: req.query.cluster, connector: req.query.connector }),
  );

  app.post<{ Body: TargetBody }>('/api/v1/restarts', { schema: { body: targetBody }, preValidation: requireApiToken }, async (req, reply) => {
    await deps.restarts.restartNow(toRef(req.body));
    return reply.code(202).send({ status: 'accepted', message: 'the target is restarted at the next poll that sees it failed (in dry-run mode: reported, not sent); the request lapses after 15 minutes' });
  });

  app.post<{ Body: TargetBody }>('/api/v1/restarts/reset', { schema: { body: targetBody }, preValidation: requireApiToken }, async (req) => {
    await deps.restarts.resetBudget(toRef(req.body));
    return { status: 'ok', message: 'restart budget and backoff reset' };
  });

  app.post<{ Body: SilenceBody }>('/api/v1/silences', { schema: { body: silenceBody }, preValidation: requireApiToken }, async (req) => {
    let durationMs: number;
    try {
      durationMs = deps.parseDuration(req.body.duration);
    } catch (err) {
      throw new SentinelError('CS_ERR_API_BAD_REQUEST', `body.duration: ${errorMessage(err)}`);
    }
    const until = deps.now() + durationMs;
    await deps.restarts.silence({ cluster: req.body.cluster, connector: req.body.connector }, until, req.body.reason);
    return { status: 'ok', silencedUntil: new Date(until).toISOString() };
  });

  app.delete<{ Body: Omit<TargetBody, 'task'> }>(
    '/api/v1/silences',
    {
      schema: {
        body: { ...targetBody, properties: { cluster: targetBody.properties.cluster, connector: targetBody.properties.connector } },
      },
      preValidation: requireApiToken,
    },
    async (req) => {
      await deps.restarts.unsilence({ cluster: req.body.cluster, connector: req.body.connector });
      return { status: 'ok' };
    },
  );

  return app;
}
