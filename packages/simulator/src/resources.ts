// The REST resources of a simulated worker (docs/connect-rest-api.md §2, §4): ConnectorsResource, ConnectorPluginsResource
// and RootResource, answering from the cluster model through the herder's queue where Connect queues.

import type { BasicAuthCredentials } from './auth.ts';
import { CONNECTOR_PLUGINS, OTHER_PLUGINS, connectorPlugin } from './catalogue.ts';
import type { ConnectorRecord, SimCluster } from './cluster.ts';
import type { Clock, Faults } from './faults.ts';
import type { Herder } from './herder.ts';
import {
  expandedJson,
  infoJson,
  namesJson,
  restartPlanJson,
  statusJson,
  taskStatusJson,
  tasksConfigJson,
  tasksJson,
  type Expansion,
} from './render.ts';
import type { RequestLog } from './request-log.ts';
import type { RestartEngine } from './restarts.ts';
import type { Feature, KafkaProfile } from './version.ts';
import { JAXRS_MESSAGES, MESSAGES } from './wire.ts';

export interface ServerContext {
  profile: KafkaProfile;
  cluster: SimCluster;
  faults: Faults;
  herder: Herder;
  restarts: RestartEngine;
  requests: RequestLog;
  clock: Clock;
  basicAuth: BasicAuthCredentials | undefined;
  queuedTimeoutMs: number;
  healthTimeoutMs: number;
  topicTracking: boolean;
  /** The body of `GET /`. */
  serverInfo: string;
}

/** What a resource answers; `send` turns it into bytes and headers. */
export type Answer =
  | { kind: 'json'; status: number; body: string; location?: string }
  | { kind: 'empty'; status: 202 | 204 }
  /** ConnectExceptionMapper's `{"error_code","message"}`, served as application/json. */
  | { kind: 'error'; status: number; message: string }
  /** A JAX-RS routing error: the same JSON shape, but no Content-Type header. */
  | { kind: 'jaxrs'; status: keyof typeof JAXRS_MESSAGES };

export interface Call {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Buffer | undefined;
}

export type Handler = (call: Call) => Answer | Promise<Answer>;

export interface Route {
  url: string;
  /** ConnectorsResource and ConnectorPluginsResource declare `@Consumes(application/json)`; RootResource does not. */
  consumesJson: boolean;
  since?: Feature;
  methods: Partial<Record<'GET' | 'POST' | 'PUT' | 'DELETE', Handler>>;
}

export function routes(context: ServerContext): Route[] {
  const { cluster, faults, herder, profile, restarts } = context;

  const json = (body: string, status = 200): Answer => ({ kind: 'json', status, body });
  const error = (status: number, message: string): Answer => ({ kind: 'error', status, message });

  /**
   * A request through the herder's queue: it waits while the herder is busy (and is carried out even when its wait
   * timed out), then sees a pending rebalance as a 409 (`forwarded`: restarts, and before 3.5 the GETs) or, for the
   * 3.5+ GETs, as a 500.
   */
  const queued = (rebalance: 'ignored' | 'forwarded' | 'get', work: () => Answer): Promise<Answer> =>
    herder.run(
      context.queuedTimeoutMs,
      () => {
        if (!faults.rebalance || rebalance === 'ignored') return work();
        return rebalance === 'get' && profile.has('localGets') ? error(500, MESSAGES.rebalanceExpected) : error(409, MESSAGES.staleConfig);
      },
      () => error(500, herder.timeoutMessage()),
    );

  /** While the worker reads its internal topics, it knows only the connectors it has read so far. */
  const known = (): ((name: string) => boolean) => {
    if (faults.startupPhase !== 'reading') return () => true;
    const visible = new Set(faults.startupVisible);
    return (name) => visible.has(name);
  };

  /** The connector as the config topic has it (a connector being deleted has no config any more). */
  const configured = (name: string): ConnectorRecord | undefined => {
    const record = cluster.record(name);
    return record === undefined || record.deleting || !known()(name) ? undefined : record;
  };

  const listed = (): ConnectorRecord[] => {
    const isKnown = known();
    const omitted = new Set(faults.omitFromList);
    faults.omitFromList = [];
    return cluster.orderedRecords().filter((record) => isKnown(record.name) && !omitted.has(record.name));
  };

  const taskClass = (record: ConnectorRecord): string | undefined => connectorPlugin(record.connectorClass)?.taskClass;

  /** A GET about one configured connector: through the herder's queue, then 404 when the connector is unknown. */
  const configuredGet =
    (answer: (record: ConnectorRecord) => Answer): Handler =>
    async ({ params }) => {
      return queued('get', () => {
        const name = params['connector']!;
        const record = configured(name);
        return record === undefined ? error(404, MESSAGES.connectorNotFound(name)) : answer(record);
      });
    };

  return [
    {
      url: '/',
      consumesJson: false,
      methods: { GET: () => json(context.serverInfo) },
    },
    {
      url: '/health',
      consumesJson: false,
      since: 'health',
      methods: {
        GET: () =>
          herder.run(
            context.healthTimeoutMs,
            () => json(JSON.stringify({ status: 'healthy', message: MESSAGES.healthy })),
            () => {
              const stage = herder.stageSummary();
              const starting = faults.startupPhase === 'reading';
              const message = `${starting ? MESSAGES.starting : MESSAGES.unhealthy}${stage === undefined ? '' : ` ${stage}`}`;
              return json(JSON.stringify({ status: starting ? 'starting' : 'unhealthy', message }), starting ? 503 : 500);
            },
          ),
      },
    },
    {
      url: '/connectors',
      consumesJson: true,
      methods: {
        GET: async ({ query }) => {
          if (!profile.has('expand')) {
            // Before 2.3 the list went through the herder and the leader, and `expand` did not exist.
            return queued('forwarded', () => json(namesJson(listed())));
          }
          if (!query.has('expand')) return json(namesJson(listed()));
          const expansions = [...new Set(query.getAll('expand'))].filter(
            (value): value is Expansion => value === 'status' || value === 'info',
          );
          return json(expandedJson(listed(), expansions, profile));
        },
        POST: async ({ body }) => {
          return queued('ignored', () => {
            const request = parseJsonObject(body);
            if (typeof request === 'string') return error(500, request);
            const config = request['config'];
            const name = typeof request['name'] === 'string' ? request['name'].trim() : '';
            if (name === '' || !isStringMap(config) || config['connector.class'] === undefined) {
              return error(400, 'Connector config contains no connector type');
            }
            if (cluster.has(name)) return error(409, MESSAGES.alreadyExists(name));
            return created(cluster, name, config);
          });
        },
      },
    },
    {
      url: '/connectors/:connector',
      consumesJson: true,
      methods: {
        GET: configuredGet((record) => json(infoJson(record))),
        DELETE: async ({ params }) => {
          return queued('ignored', () => {
            const name = params['connector']!;
            if (configured(name) === undefined) return error(404, MESSAGES.connectorNotFound(name));
            cluster.remove(name);
            return { kind: 'empty', status: 204 };
          });
        },
      },
    },
    {
      url: '/connectors/:connector/config',
      consumesJson: true,
      methods: {
        GET: configuredGet((record) => json(JSON.stringify(record.config))),
        PUT: async ({ params, body }) => {
          return queued('ignored', () => {
            const name = params['connector']!;
            const config = parseJsonObject(body);
            if (typeof config === 'string') return error(500, config);
            if (!isStringMap(config)) return error(400, 'Connector configuration must be a map of strings');
            if (config['name'] !== undefined && config['name'] !== name) {
              return error(400, `Connector name configuration (${config['name']}) doesn't match connector name in the URL (${name})`);
            }
            const existing = configured(name);
            if (existing === undefined) {
              if (config['connector.class'] === undefined) return error(400, 'Connector config contains no connector type');
              return created(cluster, name, config);
            }
            const tasks = Number(config['tasks.max'] ?? existing.taskCount);
            cluster.update(name, { config, ...(Number.isInteger(tasks) && tasks > 0 ? { tasks } : {}) });
            return json(infoJson(existing));
          });
        },
      },
    },
    {
      url: '/connectors/:connector/status',
      consumesJson: true,
      methods: {
        GET: ({ params }) => {
          const name = params['connector']!;
          const record = cluster.record(name);
          const status = record !== undefined && known()(name) ? statusJson(record, profile) : undefined;
          return status === undefined ? error(404, MESSAGES.noConnectorStatus(name)) : json(status);
        },
      },
    },
    {
      url: '/connectors/:connector/tasks',
      consumesJson: true,
      methods: {
        GET: configuredGet((record) => json(tasksJson(record, taskClass(record)))),
      },
    },
    {
      url: '/connectors/:connector/tasks-config',
      consumesJson: true,
      since: 'tasksConfig',
      methods: {
        GET: configuredGet((record) => json(tasksConfigJson(record, taskClass(record)))),
      },
    },
    {
      url: '/connectors/:connector/tasks/:task/status',
      consumesJson: true,
      methods: {
        GET: ({ params }) => {
          const name = params['connector']!;
          const task = javaInteger(params['task']!);
          if (task === undefined) return { kind: 'jaxrs', status: 404 };
          const record = cluster.record(name);
          const status = record !== undefined && known()(name) ? record.tasks.get(task) : undefined;
          return status === undefined
            ? error(404, MESSAGES.noTaskStatus(name, task))
            : json(taskStatusJson(task, status, record!, profile));
        },
      },
    },
    {
      url: '/connectors/:connector/tasks/:task/restart',
      consumesJson: true,
      methods: {
        POST: async ({ params }) => {
          const name = params['connector']!;
          const task = javaInteger(params['task']!);
          if (task === undefined) return { kind: 'jaxrs', status: 404 };
          return queued('forwarded', () => {
            const record = configured(name);
            if (record === undefined) return error(404, MESSAGES.restartUnknownConnector(name));
            if (task < 0 || task >= record.taskCount) return error(404, MESSAGES.restartUnknownTask(name, task));
            restarts.restart(record, task, false);
            return { kind: 'empty', status: 204 };
          });
        },
      },
    },
    {
      url: '/connectors/:connector/restart',
      consumesJson: true,
      methods: {
        POST: async ({ params, query }) => {
          const name = params['connector']!;
          // Java's Boolean.valueOf: only "true", in any case, is true. Before 3.0 the parameters do not exist.
          const flag = (key: string): boolean => profile.has('restartPlan') && query.get(key)?.toLowerCase() === 'true';
          const includeTasks = flag('includeTasks');
          const onlyFailed = flag('onlyFailed');
          return queued('forwarded', () => {
            const record = configured(name);
            if (record === undefined) return error(404, MESSAGES.restartUnknownConnector(name));
            if (!includeTasks && !onlyFailed) {
              restarts.restart(record, undefined, false);
              return { kind: 'empty', status: 204 };
            }
            if (record.status === undefined) return error(404, MESSAGES.restartNoStatus(name));
            const restartConnector = !onlyFailed || record.status.state === 'FAILED';
            const restartTask = (state: string): boolean => includeTasks && (!onlyFailed || state === 'FAILED');
            const plan = restartPlanJson(record, profile, restartConnector, (task) => restartTask(task.state));
            if (restartConnector) restarts.restart(record, undefined, true);
            for (const [id, task] of [...record.tasks]) if (restartTask(task.state)) restarts.restart(record, id, true);
            return json(plan, 202);
          });
        },
      },
    },
    {
      url: '/connectors/:connector/pause',
      consumesJson: true,
      methods: {
        PUT: ({ params }) => {
          const name = params['connector']!;
          if (configured(name) === undefined) return error(404, MESSAGES.targetStateUnknownConnector(name));
          cluster.pause(name);
          return { kind: 'empty', status: 202 };
        },
      },
    },
    {
      url: '/connectors/:connector/resume',
      consumesJson: true,
      methods: {
        PUT: ({ params }) => {
          const name = params['connector']!;
          if (configured(name) === undefined) return error(404, MESSAGES.targetStateUnknownConnector(name));
          cluster.resume(name);
          return { kind: 'empty', status: 202 };
        },
      },
    },
    {
      url: '/connectors/:connector/stop',
      consumesJson: true,
      since: 'stop',
      methods: {
        PUT: async ({ params }) => {
          return queued('ignored', () => {
            const name = params['connector']!;
            if (configured(name) === undefined) return error(404, MESSAGES.targetStateUnknownConnector(name));
            cluster.stop(name);
            return { kind: 'empty', status: 204 };
          });
        },
      },
    },
    {
      url: '/connectors/:connector/topics',
      consumesJson: true,
      since: 'topics',
      methods: {
        GET: ({ params }) => {
          if (!context.topicTracking) return error(403, MESSAGES.topicTrackingDisabled);
          const name = params['connector']!;
          // An unknown connector is not a 404: it simply has no active topics.
          return json(JSON.stringify({ [name]: { topics: cluster.record(name)?.topics ?? [] } }));
        },
      },
    },
    {
      url: '/connectors/:connector/topics/reset',
      consumesJson: true,
      since: 'topics',
      methods: {
        PUT: ({ params }) => {
          if (!context.topicTracking) return error(403, MESSAGES.topicTrackingDisabled);
          const record = cluster.record(params['connector']!);
          if (record !== undefined) record.topics = [];
          return { kind: 'empty', status: 202 };
        },
      },
    },
    {
      url: '/connectors/:connector/offsets',
      consumesJson: true,
      since: 'stop',
      methods: {
        GET: configuredGet(() => json('{"offsets":[]}')),
      },
    },
    {
      url: '/connector-plugins',
      consumesJson: true,
      methods: {
        GET: ({ query }) => {
          // `connectorsOnly` defaults to true and, Java-style, anything but "true" means false (3.2+).
          const all = profile.has('allPlugins') && query.has('connectorsOnly') && query.get('connectorsOnly')!.toLowerCase() !== 'true';
          const plugins: object[] = CONNECTOR_PLUGINS.map((plugin) => ({
            class: plugin.class,
            type: plugin.type,
            version: plugin.version ?? profile.version,
          }));
          if (all) {
            for (const plugin of OTHER_PLUGINS) {
              plugins.push(plugin.versioned ? { class: plugin.class, type: plugin.type, version: profile.version } : { class: plugin.class, type: plugin.type });
            }
          }
          return json(JSON.stringify(plugins));
        },
      },
    },
  ];
}

/** Creates a connector that starts at once; the 201 body lists no tasks yet, as they are generated after the write. */
function created(cluster: SimCluster, name: string, config: Record<string, string>): Answer {
  const tasks = Number(config['tasks.max'] ?? '1');
  cluster.add({ name, connectorClass: config['connector.class']!, config, tasks: Number.isInteger(tasks) && tasks > 0 ? tasks : 1 });
  const record = cluster.record(name)!;
  const body = JSON.stringify({ name, config: record.config, tasks: [], type: record.type });
  return { kind: 'json', status: 201, body, location: `/connectors/${encodeURIComponent(name)}` };
}

/** A JAX-RS `Integer` path parameter: what `Integer.valueOf` accepts, else the route does not match (404). */
function javaInteger(text: string): number | undefined {
  if (!/^[+-]?\d{1,10}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= -2147483648 && value <= 2147483647 ? value : undefined;
}

/** The parsed object, or Jackson's complaint (which Connect answers with a 500). */
function parseJsonObject(body: Buffer | undefined): Record<string, unknown> | string {
  if (body === undefined || body.length === 0) return 'No content to map due to end-of-input';
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : 'Cannot deserialize value of type `java.util.LinkedHashMap` from a non-object value';
  } catch (err) {
    return `Unexpected character in JSON body: ${(err as Error).message}`;
  }
}

function isStringMap(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}
