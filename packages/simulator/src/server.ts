// The simulated worker's REST server: Jetty/Jersey/Jackson behaviour on fastify (docs/connect-rest-api.md §1, §2, §4–§6).
// Routing errors come first (404/405/415, as JAX-RS matches before filters run), then basic auth, then the resource
// (resources.ts).

import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { checkBasicAuth } from './auth.ts';
import { routes, type Answer, type Call, type Route, type ServerContext } from './resources.ts';
import { errorBody, jettyNotFoundPage, JAXRS_MESSAGES, UNAUTHORIZED_BODY } from './wire.ts';

export interface TlsOptions {
  cert: string | Buffer;
  key: string | Buffer;
  ca?: string | Buffer;
  /** Ask clients for a certificate and reject those without a valid one (mutual TLS). */
  requestCert?: boolean;
}

const JSON_TYPE = 'application/json';

export interface SimulatorServer {
  app: FastifyInstance;
  /** Closes every open connection (a worker going down). */
  dropConnections(): void;
}

export function buildServer(context: ServerContext, tls: TlsOptions | undefined): SimulatorServer {
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    exposeHeadRoutes: false,
    routerOptions: { ignoreTrailingSlash: true },
    ...(tls === undefined
      ? {}
      : {
          https: {
            cert: tls.cert,
            key: tls.key,
            ...(tls.ca === undefined ? {} : { ca: tls.ca }),
            requestCert: tls.requestCert ?? false,
            rejectUnauthorized: tls.requestCert ?? false,
          },
        }),
  });
  const { faults, profile } = context;
  const withoutContentType = new WeakSet<FastifyReply>();

  const sockets = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    // Before Jetty listens, nothing accepts: the client sees its connection closed.
    if (faults.startupPhase === 'refused') {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.addHook('onRequest', async (request, reply) => {
    reply.header('server', profile.server);
    if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    if (faults.startupPhase === 'html404') {
      const path = request.url.split('?', 1)[0]!;
      reply
        .code(404)
        .header('content-type', 'text/html;charset=iso-8859-1')
        .header('cache-control', 'must-revalidate,no-cache,no-store');
      return reply.send(Buffer.from(jettyNotFoundPage(path), 'latin1'));
    }
    return undefined;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (withoutContentType.has(reply)) reply.removeHeader('content-type');
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const questionMark = request.url.indexOf('?');
    context.requests.record({
      method: request.method,
      path: questionMark === -1 ? request.url : request.url.slice(0, questionMark),
      query: questionMark === -1 ? '' : request.url.slice(questionMark + 1),
      status: reply.statusCode,
      at: context.clock.now(),
    });
  });

  const send = (reply: FastifyReply, answer: Answer): FastifyReply => {
    switch (answer.kind) {
      case 'json':
        if (answer.location !== undefined) reply.header('location', answer.location);
        return reply.code(answer.status).header('content-type', JSON_TYPE).send(Buffer.from(answer.body));
      case 'empty':
        return reply.code(answer.status).send();
      case 'error':
        return reply
          .code(answer.status)
          .header('content-type', JSON_TYPE)
          .send(Buffer.from(errorBody(answer.status, faults.messageNull ? null : answer.message)));
      case 'jaxrs':
        withoutContentType.add(reply);
        return reply.code(answer.status).send(errorBody(answer.status, JAXRS_MESSAGES[answer.status]));
    }
  };

  app.setNotFoundHandler((_request, reply) => send(reply, { kind: 'jaxrs', status: 404 }));
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) =>
    send(reply, { kind: 'error', status: error.statusCode ?? 500, message: error.message }),
  );

  for (const route of routes(context)) {
    if (route.since !== undefined && !profile.has(route.since)) continue;
    app.all(route.url, async (request: FastifyRequest, reply: FastifyReply) => {
      const method = request.method === 'HEAD' ? 'GET' : request.method;
      const handler = route.methods[method as keyof Route['methods']];
      if (handler === undefined) return send(reply, { kind: 'jaxrs', status: 405 });
      if (route.consumesJson && !acceptsAsJson(request.headers['content-type'])) {
        return send(reply, { kind: 'jaxrs', status: 415 });
      }
      if (context.basicAuth !== undefined) {
        const outcome = checkBasicAuth(request.headers.authorization, context.basicAuth);
        if (outcome.kind === 'denied') {
          return reply.code(401).header('content-type', JSON_TYPE).send(Buffer.from(UNAUTHORIZED_BODY));
        }
        if (outcome.kind === 'error') return send(reply, { kind: 'error', status: 500, message: outcome.message });
      }
      const questionMark = request.url.indexOf('?');
      const call: Call = {
        params: request.params as Record<string, string>,
        query: new URLSearchParams(questionMark === -1 ? '' : request.url.slice(questionMark + 1)),
        body: Buffer.isBuffer(request.body) ? request.body : undefined,
      };
      return send(reply, await handler(call));
    });
  }
  return {
    app,
    dropConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}

/** No Content-Type matches anything; otherwise it must be JSON (or a wildcard). */
function acceptsAsJson(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.trim() === '') return true;
  const mediaType = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return mediaType === JSON_TYPE || mediaType === 'application/*' || mediaType === '*/*';
}
