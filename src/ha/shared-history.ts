// The restart history shared by replicas, in a compacted Kafka topic with one partition, and the lead among them.
//
// - Leadership is Kafka's group membership: the member of `ha.group` assigned the topic's partition leads
//   (assign.ts keeps it where it is). Its lease is its last heartbeat: a member whose heartbeat is older than half the
//   session timeout may already have been expelled, so it does not act as leader until the next heartbeat answers.
// - Fencing is a transactional producer whose transactional.id is the same for every leader: a new leader's first
//   transaction (InitProducerId) bumps the epoch, and from then on the old leader's transactions are refused
//   (PRODUCER_FENCED). Every save is a transaction, and a restart is sent only once its write-ahead save committed;
//   so once a new leader has taken over, an old one can no longer record a restart, and sends none.
// - Takeover: the new leader commits a marker record, then reads the log (read_committed) up to that marker, so its
//   history holds everything every earlier leader committed before it was fenced.
// - Every replica reads the log from the start and follows it, so a follower shows the leader's history.
//
// docs/high-availability.md states the guarantee and the window that remains.

import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  Admin,
  Consumer,
  FetchIsolationLevels,
  findErrorBy,
  MessagesStreamModes,
  Producer,
  stringDeserializers,
  stringSerializers,
  type Message,
  type MessagesStream,
} from '@platformatic/kafka';
import { tlsMaterial, type HaConfig } from '../config/schema.ts';
import { SentinelError, errorMessage, errorSummary } from '../errors.ts';
import { decodeHistory, encodeHistory } from '../restart/history-codec.ts';
import { emptyHistory, type RestartHistory } from '../restart/history.ts';
import type { HistoryStore } from '../restart/history-file.ts';
import { assignLeader, memberMetadata } from './assign.ts';

const HISTORY_KEY = 'history';
const LEADER_KEY = 'leader';
/** A history record is the whole history; big fleets with many failing targets need more than Kafka's 1 MB. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

export interface SharedHistoryOptions {
  ha: HaConfig;
  logger: Logger;
  now?: () => number;
}

function clientOptions(ha: HaConfig, clientId: string) {
  const tls = ha.tls;
  return {
    clientId,
    bootstrapBrokers: [...ha.bootstrapServers],
    retries: 3,
    ...(tls
      ? {
          tls: {
            ...tlsMaterial(tls),
            rejectUnauthorized: !tls.insecureSkipVerify,
          },
          ...(tls.serverName === undefined ? {} : { tlsServerName: tls.serverName }),
        }
      : {}),
    ...(ha.sasl
      ? { sasl: { mechanism: ha.sasl.mechanism, username: ha.sasl.username, password: () => ha.sasl?.password.reveal() ?? '' } }
      : {}),
  };
}

/** The transaction was refused because a newer leader's producer took the transactional.id. */
function isFenced(err: unknown): boolean {
  const error = err instanceof Error ? err : null;
  return findErrorBy(error, 'producerFenced', true) !== null || findErrorBy(error, 'apiId', 'PRODUCER_FENCED') !== null;
}

/** Kafka client errors nest their causes; the log line gets the summary and the Kafka error names. */
function kafkaReason(err: unknown): string {
  const names = new Set<string>();
  const walk = (value: unknown, depth: number): void => {
    if (depth > 6 || value === null || typeof value !== 'object') return;
    const { apiId, code, errors, cause, message } = value as { apiId?: unknown; code?: unknown; errors?: unknown; cause?: unknown; message?: unknown };
    const inner = [...(Array.isArray(errors) ? errors : []), ...(cause === undefined ? [] : [cause])];
    if (typeof apiId === 'string') names.add(apiId);
    else if (inner.length === 0 && typeof message === 'string') names.add(typeof code === 'string' ? `${code}: ${message}` : message);
    for (const each of inner) walk(each, depth + 1);
  };
  walk(err, 0);
  const message = errorMessage(err);
  return names.size === 0 ? message : `${message} (${[...names].join(', ')})`;
}

type Role = 'follower' | 'taking-over' | 'leading';

export async function openSharedHistory(options: SharedHistoryOptions): Promise<HistoryStore> {
  const { ha, logger } = options;
  const now = options.now ?? Date.now;
  /** Names this replica in records and client ids. */
  const replica = `${hostname()}-${process.pid}`;
  const instance = randomUUID();
  const lease = ha.sessionTimeout / 2;
  const heartbeatInterval = Math.max(200, Math.floor(ha.sessionTimeout / 5));
  const where = `Kafka topic ${ha.topic} (${ha.bootstrapServers.join(',')})`;

  await ensureTopic(ha, where);

  let role: Role = 'follower';
  let generation = 0;
  /** When the group coordinator last answered this member (join or heartbeat), in monotonic ms: the lease. */
  let lastContact = 0;
  /** Held the partition in the last assignment: said when rejoining, so that the lead stays here (assign.ts). */
  let heldPartition = false;
  /** Counts takeovers and step-downs: a takeover under way goes on only while no later one began. */
  let term = 0;
  let producer: Producer<string, string, string, string> | undefined;
  let writable = true;
  let closed = false;
  /** The history as the log has it (committed records only), and as this replica last saved it while leading. */
  let logged: RestartHistory = emptyHistory();
  let saved: RestartHistory = logged;
  let readOffset = -1n;
  const waiters: { offset: bigint; resolve: () => void }[] = [];

  const onRecord = (message: Message<string, string, string, string>): void => {
    readOffset = message.offset;
    if (message.key === HISTORY_KEY && typeof message.value === 'string') {
      try {
        logged = decodeHistory(message.value);
      } catch (err) {
        logger.error({ offset: String(message.offset), err: errorSummary(err) }, `a restart history record in ${where} cannot be read; keeping the one before it`);
      }
    }
    for (let i = waiters.length - 1; i >= 0; i -= 1) {
      const waiter = waiters[i]!;
      if (waiter.offset <= readOffset) {
        waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  };
  const readUpTo = (offset: bigint): Promise<void> =>
    offset <= readOffset ? Promise.resolve() : new Promise((resolve) => waiters.push({ offset, resolve }));

  // Every replica follows the whole log, with a group of its own that commits nothing.
  const reader = new Consumer<string, string, string, string>({
    ...clientOptions(ha, `connect-sentinel-reader-${replica}`),
    groupId: `${ha.group}.reader.${instance}`,
    deserializers: stringDeserializers,
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    maxWaitTime: 500,
    sessionTimeout: ha.sessionTimeout,
    rebalanceTimeout: ha.sessionTimeout,
    heartbeatInterval,
  });
  let readerStream: MessagesStream<string, string, string, string>;
  try {
    readerStream = await reader.consume({ topics: [ha.topic], mode: MessagesStreamModes.EARLIEST, autocommit: false });
  } catch (err) {
    await reader.close(true).catch(() => undefined);
    throw new SentinelError('CS_ERR_HA', `cannot read the restart history from ${where}: ${kafkaReason(err)}`, { cause: err });
  }
  readerStream.on('data', onRecord);
  readerStream.on('error', (err: unknown) => logger.error({ err: errorSummary(err) }, `reading ${where} failed: ${kafkaReason(err)}`));

  /** Ends any lead or takeover; true when there was one. */
  const release = (): boolean => {
    term += 1;
    if (role === 'follower') return false;
    role = 'follower';
    const old = producer;
    producer = undefined;
    void old?.close(true).catch(() => undefined);
    return true;
  };
  const stepDown = (why: string): void => {
    if (release()) logger.warn({ generation }, `This replica no longer leads: ${why}`);
  };

  /** One attempt: fence earlier leaders with the marker's transaction, then read the log up to the marker. */
  const fenceAndCatchUp = async (joined: number): Promise<Producer<string, string, string, string>> => {
    const candidate = new Producer<string, string, string, string>({
      ...clientOptions(ha, `connect-sentinel-leader-${replica}`),
      idempotent: true,
      transactionalId: `${ha.group}.leader`,
      // "No producer yet" in InitProducerId is -1/-1; the client's default 0/0 claims producer 0 at epoch 0, which
      // the coordinator refuses as fenced once another producer has held the id (after a killed leader, for ever).
      producerId: -1n,
      producerEpoch: -1,
      serializers: stringSerializers,
    });
    try {
      // From this transaction's InitProducerId on, an earlier leader can commit nothing.
      const transaction = await candidate.beginTransaction();
      const sent = await transaction.send({
        messages: [{ topic: ha.topic, key: LEADER_KEY, value: JSON.stringify({ replica, generation: joined, at: new Date(now()).toISOString() }), headers: { replica } }],
      });
      await transaction.commit();
      const marker = sent.offsets?.[0]?.offset;
      if (marker === undefined) throw new Error('the broker did not say where the marker was written');
      await readUpTo(marker);
      return candidate;
    } catch (err) {
      await candidate.close(true).catch(() => undefined);
      throw err;
    }
  };

  /**
   * Takes the lead, trying again while this replica holds the partition (a killed leader's open transaction must be
   * aborted first). A step down, or a takeover begun by a later join, ends this one (`term`).
   */
  const takeOver = async (): Promise<void> => {
    role = 'taking-over';
    const mine = (term += 1);
    const stillAssigned = () => term === mine && role === 'taking-over' && heldPartition && !closed;
    for (let attempt = 1; stillAssigned(); attempt += 1) {
      const joined = generation;
      try {
        const candidate = await fenceAndCatchUp(joined);
        if (!stillAssigned()) {
          await candidate.close(true).catch(() => undefined);
          return;
        }
        producer = candidate;
        saved = logged;
        writable = true;
        role = 'leading';
        logger.info({ generation: joined }, `This replica leads (generation ${joined}): it sends restarts and records them in ${where}`);
        return;
      } catch (err) {
        const log = attempt === 1 ? logger.warn.bind(logger) : logger.debug.bind(logger);
        log({ generation: joined, attempt, err: errorSummary(err) }, `Taking the lead failed: ${kafkaReason(err)}; trying again while this replica holds the partition`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  };

  // The leadership group: its members only hold (or do not hold) the partition; the reader above does the reading.
  const member = new Consumer<string, string, string, string>({
    ...clientOptions(ha, `connect-sentinel-${replica}`),
    groupId: ha.group,
    deserializers: stringDeserializers,
    sessionTimeout: ha.sessionTimeout,
    // A rebalance waits this long for members to rejoin: as long as a lost member takes to expire, no longer.
    rebalanceTimeout: ha.sessionTimeout,
    heartbeatInterval,
    protocolsMetadata: () => memberMetadata(heldPartition),
    partitionAssigner: (_current, members) => assignLeader(members, ha.topic),
  });
  member.on('consumer:group:join', (payload) => {
    lastContact = performance.now();
    generation = payload.generationId ?? generation;
    const holds = (payload.assignments ?? []).some((a) => a.topic === ha.topic && a.partitions.includes(0));
    heldPartition = holds;
    if (!holds) {
      stepDown(`generation ${generation} assigned the lead to another replica`);
      return;
    }
    // Even a replica that led before the rebalance takes the lead anew: it may have been expelled meanwhile (paused
    // past the session timeout) and fenced by a leader in between, whose records it has not read.
    release();
    void takeOver();
  });
  member.on('consumer:heartbeat:end', () => {
    lastContact = performance.now();
  });
  member.on('consumer:group:rebalance', () => stepDown('the group is rebalancing'));
  member.on('consumer:group:leave', () => stepDown('it left the group'));
  let memberStream: MessagesStream<string, string, string, string>;
  try {
    memberStream = await member.consume({ topics: [ha.topic], mode: MessagesStreamModes.LATEST, autocommit: false });
  } catch (err) {
    await readerStream.close().catch(() => undefined);
    await reader.close(true).catch(() => undefined);
    await member.close(true).catch(() => undefined);
    throw new SentinelError('CS_ERR_HA', `cannot join the consumer group "${ha.group}" at ${ha.bootstrapServers.join(',')}: ${kafkaReason(err)}`, { cause: err });
  }
  memberStream.on('data', () => undefined);
  memberStream.on('error', (err: unknown) => logger.error({ err: errorSummary(err) }, `the leadership group failed: ${kafkaReason(err)}`));

  // On the monotonic clock: a wall clock set back must not stretch the lease.
  const leading = (): boolean => role === 'leading' && performance.now() - lastContact < lease;

  let queue: Promise<unknown> = Promise.resolve();
  const save = (history: RestartHistory): Promise<boolean> => {
    const run = queue.then(async (): Promise<boolean> => {
      if (closed || !leading() || producer === undefined) return false;
      if (history === saved && writable) return true;
      const current = producer;
      let transaction: Awaited<ReturnType<typeof current.beginTransaction>> | undefined;
      try {
        transaction = await current.beginTransaction();
        await transaction.send({ messages: [{ topic: ha.topic, key: HISTORY_KEY, value: encodeHistory(history, now()), headers: { replica } }] });
        await transaction.commit();
        if (!writable) logger.info(`the restart history in ${where} is writable again; auto-restart resumes`);
        writable = true;
        saved = history;
        return true;
      } catch (err) {
        if (isFenced(err)) {
          stepDown('another replica took the lead (this one was fenced)');
          // Rejoin without claiming the partition: the rebalance settles who leads, and that one fences the others.
          heldPartition = false;
          member.joinGroup().catch((rejoin: unknown) => logger.error({ err: errorSummary(rejoin) }, `rejoining the group "${ha.group}" failed: ${kafkaReason(rejoin)}`));
          return false;
        }
        await transaction?.abort().catch(() => undefined);
        if (writable) logger.error({ err: errorSummary(err) }, `the restart history cannot be written to ${where}: ${kafkaReason(err)}; auto-restart is paused until a write succeeds`);
        writable = false;
        return false;
      }
    });
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    current: () => (role === 'leading' ? saved : logged),
    save,
    get writable() {
      return writable;
    },
    get leading() {
      return leading();
    },
    get generation() {
      return generation;
    },
    path: where,
    async close() {
      closed = true;
      await queue;
      stepDown('it is shutting down');
      // Leaving the group hands the lead to another replica at once, not after the session timeout.
      await memberStream.close().catch(() => undefined);
      await member.close(true).catch(() => undefined);
      await readerStream.close().catch(() => undefined);
      await reader.close(true).catch(() => undefined);
    },
  };
}

/** Creates the compacted one-partition topic if it is missing, and refuses one with more partitions. */
async function ensureTopic(ha: HaConfig, where: string): Promise<void> {
  const admin = new Admin(clientOptions(ha, 'connect-sentinel-admin'));
  try {
    try {
      await admin.createTopics({
        topics: [ha.topic],
        partitions: 1,
        replicas: ha.replicationFactor ?? -1,
        configs: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'max.message.bytes', value: String(MAX_RECORD_BYTES) },
        ],
      });
    } catch (err) {
      // Another replica, or an earlier start, made it.
      if (findErrorBy(err instanceof Error ? err : null, 'apiId', 'TOPIC_ALREADY_EXISTS') === null) throw err;
    }
    const metadata = await admin.metadata({ topics: [ha.topic] });
    const partitions = metadata.topics.get(ha.topic)?.partitionsCount ?? 0;
    if (partitions !== 1) {
      throw new SentinelError('CS_ERR_HA', `${where} has ${partitions} partitions; the shared restart history needs a topic with exactly one`);
    }
  } catch (err) {
    if (err instanceof SentinelError) throw err;
    throw new SentinelError('CS_ERR_HA', `cannot open ${where}: ${kafkaReason(err)}`, { cause: err });
  } finally {
    await admin.close().catch(() => undefined);
  }
}
