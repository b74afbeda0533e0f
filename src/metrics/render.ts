// Pure: one cluster's view (and its auto-restart view) to the sample lines of every per-poll family, encoded once.
// This runs once per poll for up to ~440,000 series (10,000 connectors, 50,000 tasks). The connector and task lines
// (nearly all of them) carry over connector by connector from the previous render of the cluster when the connector
// did not change (connector-lines.ts); the few cluster-wide lines are rendered every time.
//
// The connector lines are rendered in steps (renderConnectorSteps), which the shell spreads over turns of its event
// loop, and within a byte budget; completeClusterRender then adds the cluster-wide and auto-restart lines.

import type { ClusterRestartView, ClusterView, TargetRef } from '../domain/model.ts';
import { CONNECTOR_FAMILIES, METRICS, POLL_FAMILIES, type ConnectorFamily, type PollFamily } from './catalogue.ts';
import { ConnectLimitError } from '../errors.ts';
import { connectorLineSteps, familyStart, type RenderedConnectors } from './connector-lines.ts';
import { escapeLabelValue, formatValue } from './exposition-text.ts';

export interface RenderOptions {
  /** Emit only the 1-valued series of a state set (the current state) instead of all of them. */
  readonly dropZeroStates: boolean;
  /** Most bytes of connector and task lines (the cluster's `maxExpositionSize`); past it, CS_ERR_CONNECT_LIMIT. */
  readonly maxExpositionBytes?: number;
}

/** A poll's render of one cluster: its sample lines (no HELP/TYPE) of every per-poll family. */
export interface ClusterRender {
  readonly cluster: string;
  /** The cluster-wide families with samples (up, poll duration, auto-restart …): their lines. */
  readonly lines: ReadonlyMap<PollFamily, Buffer>;
  /** The connector and task families, connector by connector; what the next render of the cluster reuses. */
  readonly connectors: RenderedConnectors;
}

/** A stretch of bytes: `bytes[start … end)`. */
export interface ByteRange {
  bytes: Buffer;
  start: number;
  end: number;
}

const CONNECTOR_FAMILY_INDEX: ReadonlyMap<PollFamily, number> = new Map(
  CONNECTOR_FAMILIES.map((family: ConnectorFamily, index) => [family, index]),
);

/** Bytes of the family's lines in the render (0 when it has none). */
export function familyLength(render: ClusterRender, family: PollFamily): number {
  const index = CONNECTOR_FAMILY_INDEX.get(family);
  return index === undefined ? (render.lines.get(family)?.length ?? 0) : render.connectors.familyBytes[index]!;
}

/**
 * The family's lines in order, as non-empty stretches of the render's Buffers. One range object is yielded again
 * and again, changed in place: a large cluster has 90,000 of them, and the reader copies each before the next.
 */
export function* familyRanges(render: ClusterRender, family: PollFamily): Generator<ByteRange, void, void> {
  const index = CONNECTOR_FAMILY_INDEX.get(family);
  if (index === undefined) {
    const lines = render.lines.get(family);
    if (lines !== undefined && lines.length > 0) yield { bytes: lines, start: 0, end: lines.length };
    return;
  }
  if (render.connectors.familyBytes[index] === 0) return;
  const range: ByteRange = { bytes: EMPTY, start: 0, end: 0 };
  for (const connector of render.connectors.connectors) {
    range.start = familyStart(connector, index);
    range.end = connector.ends[index]!;
    if (range.end === range.start) continue;
    range.bytes = connector.bytes;
    yield range;
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * Renders the cluster, reusing the connector lines of `previous` (the last render of this cluster, or undefined)
 * for every connector whose output did not change. The result is byte for byte what a render from scratch gives.
 */
export function renderClusterReusing(
  view: ClusterView,
  restart: ClusterRestartView | undefined,
  options: RenderOptions,
  previous: ClusterRender | undefined,
): ClusterRender {
  const steps = renderConnectorSteps(view, options, previous);
  let step = steps.next();
  while (step.done !== true) step = steps.next();
  return completeClusterRender(view, restart, step.value);
}

/**
 * The connector and task lines of the cluster, in steps of a few milliseconds at most. Throws CS_ERR_CONNECT_LIMIT
 * as soon as they pass `maxExpositionBytes`, before the rest is rendered.
 */
export function* renderConnectorSteps(
  view: ClusterView,
  options: RenderOptions,
  previous: ClusterRender | undefined,
): Generator<void, RenderedConnectors, void> {
  const allowed = options.maxExpositionBytes ?? Infinity;
  const steps = connectorLineSteps(
    view.connectors,
    { clusterLabel: clusterLabel(view.cluster), dropZeroStates: options.dropZeroStates },
    previous?.connectors,
  );
  for (let step = steps.next(); ; step = steps.next()) {
    if (step.done === true) return step.value;
    if (step.value > allowed) throw new ConnectLimitError(view.cluster, { limit: 'maxExpositionSize', found: step.value, allowed });
    yield;
  }
}

/** The whole render: the connector lines of renderConnectorSteps, and the cluster-wide and auto-restart lines. */
export function completeClusterRender(
  view: ClusterView,
  restart: ClusterRestartView | undefined,
  connectors: RenderedConnectors,
): ClusterRender {
  const cluster = clusterLabel(view.cluster);
  const text = new Map<PollFamily, string>();
  text.set('up', upLine(cluster, view.up));
  text.set('pollDuration', `${METRICS.pollDuration.name}{${cluster}} ${formatValue(view.pollDurationSeconds)}\n`);
  if (view.lastSuccessTimestampSeconds !== null) {
    text.set('lastPollSuccess', `${METRICS.lastPollSuccess.name}{${cluster}} ${formatValue(view.lastSuccessTimestampSeconds)}\n`);
  }
  if (view.worker !== undefined) {
    const { version, commit, kafkaClusterId } = view.worker;
    text.set(
      'clusterInfo',
      `${METRICS.clusterInfo.name}{${cluster},version="${escapeLabelValue(version)}",commit="${escapeLabelValue(commit)}",` +
        `kafka_cluster_id="${escapeLabelValue(kafkaClusterId)}"} 1\n`,
    );
  }
  text.set('pluginInfo', pluginLines(view, cluster));
  if (restart !== undefined) renderRestart(text, restart, cluster);

  const lines = new Map<PollFamily, Buffer>();
  for (const family of POLL_FAMILIES) {
    const familyText = text.get(family);
    if (familyText !== undefined && familyText !== '') lines.set(family, Buffer.from(familyText, 'utf8'));
  }
  return { cluster: view.cluster, lines, connectors };
}

/**
 * The render as it was, but marked down: for a poll whose handling failed or went past a limit, so that the last
 * series stay, as after a failed fetch, and are never shown as fresh.
 */
export function markedDown(render: ClusterRender): ClusterRender {
  const lines = new Map(render.lines);
  lines.set('up', Buffer.from(upLine(clusterLabel(render.cluster), false), 'utf8'));
  return { ...render, lines };
}

function clusterLabel(cluster: string): string {
  return `connect_cluster="${escapeLabelValue(cluster)}"`;
}

function upLine(cluster: string, up: boolean): string {
  return `${METRICS.up.name}{${cluster}} ${up ? 1 : 0}\n`;
}

function pluginLines(view: ClusterView, cluster: string): string {
  const seen = new Set<string>();
  let lines = '';
  for (const plugin of view.plugins) {
    const labels =
      `${cluster},class="${escapeLabelValue(plugin.class)}",type="${escapeLabelValue(plugin.type)}",` +
      `version="${escapeLabelValue(plugin.version)}"`;
    // Kafka Connect may list a plugin twice (one per class loader); a repeated series would be invalid.
    if (seen.has(labels)) continue;
    seen.add(labels);
    lines += `${METRICS.pluginInfo.name}{${labels}} 1\n`;
  }
  return lines;
}

function renderRestart(text: Map<PollFamily, string>, restart: ClusterRestartView, cluster: string): void {
  text.set('autorestartCircuitOpen', `${METRICS.autorestartCircuitOpen.name}{${cluster}} ${restart.circuit.open ? 1 : 0}\n`);
  const seen = new Set<string>();
  let exhausted = '';
  let nextAttempt = '';
  let lastDecision = '';
  for (const target of restart.targets) {
    const labels = targetLabels(cluster, target.ref);
    if (seen.has(labels)) continue;
    seen.add(labels);
    if (target.exhausted) exhausted += `${METRICS.autorestartExhausted.name}{${labels}} 1\n`;
    if (target.nextAttemptAt !== null) {
      nextAttempt += `${METRICS.autorestartNextAttempt.name}{${labels}} ${formatValue(target.nextAttemptAt / 1000)}\n`;
    }
    const { decision } = target;
    if (decision !== undefined) {
      lastDecision +=
        `${METRICS.autorestartLastDecision.name}{${labels},action="${decision.action}",reason="${escapeLabelValue(decision.reason)}",` +
        `rule="${escapeLabelValue(decision.rule ?? '')}"} 1\n`;
    }
  }
  text.set('autorestartExhausted', exhausted);
  text.set('autorestartNextAttempt', nextAttempt);
  text.set('autorestartLastDecision', lastDecision);
  const lastSeen = new Set<string>();
  let lastRestart = '';
  for (const { ref, at } of restart.lastRestarts) {
    const labels = targetLabels(cluster, ref);
    if (lastSeen.has(labels)) continue;
    lastSeen.add(labels);
    lastRestart += `${METRICS.autorestartLastRestart.name}{${labels}} ${formatValue(at / 1000)}\n`;
  }
  text.set('autorestartLastRestart', lastRestart);
}

/** A connector target has no task label at all: in Prometheus an empty label is the same as an absent one. */
function targetLabels(cluster: string, ref: TargetRef): string {
  return `${cluster},connector="${escapeLabelValue(ref.connector)}"${ref.task === undefined ? '' : `,task="${ref.task}"`}`;
}
