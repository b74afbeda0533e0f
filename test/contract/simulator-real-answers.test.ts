// The simulator held to recordings of real Kafka Connect (test/fixtures/real-answers, recorded and checked against
// real workers by test/kafka/real-connect.test.ts): the same situation, the same requests, the same answers.

import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../packages/simulator/src/index.ts';
import { call } from '../../packages/simulator/test/http.ts';
import { FAULT_SOURCE } from '../kafka/support.ts';
import { FAULT_PLUGIN_VERSION, PROBE_CONNECTOR, PROBE_TRACE, readRecording, recordAnswers, recordSequence, SEQUENCE_CONNECTOR } from './real-answers.ts';

describe.each(['3.9.1', '4.3.1'])('the simulator as Kafka Connect %s answered', (version) => {
  let sim: Simulator | undefined;
  afterEach(() => sim?.close());

  /** The fault plugin's connector, which the simulator does not know, with its task FAILED as the plugin fails it. */
  async function simulatorWithFailedFaultConnector(name: string): Promise<Simulator> {
    sim = await startSimulator({ version });
    sim.cluster.add({ name, connectorClass: FAULT_SOURCE, type: 'source', version: FAULT_PLUGIN_VERSION, tasks: 1 });
    sim.cluster.failTask(name, 0, { trace: PROBE_TRACE });
    return sim;
  }

  it('answers the recorded requests as the real worker did', async () => {
    const simulator = await simulatorWithFailedFaultConnector(PROBE_CONNECTOR);
    const answers = await recordAnswers((method, path) => call(simulator, method, path));
    const recorded = readRecording(version).answers;
    expect(answers).toEqual(recorded);
    // Key order too, as the real worker's JSON writer has it.
    expect(JSON.stringify(answers)).toBe(JSON.stringify(recorded));
  });

  it("shows a connector's status through pause, resume, stop and resume as the real worker did", async () => {
    const simulator = await simulatorWithFailedFaultConnector(SEQUENCE_CONNECTOR);
    // The fault plugin's task fails at every start; the model has no plugin code, so the test fails the new task.
    const sequence = await recordSequence((method, path) => call(simulator, method, path), 5_000, (step) => {
      if (step.startsTask) simulator.cluster.failTask(SEQUENCE_CONNECTOR, 0, { trace: PROBE_TRACE });
    });
    const recorded = readRecording(version).sequence;
    expect(sequence).toEqual(recorded);
    expect(JSON.stringify(sequence)).toBe(JSON.stringify(recorded));
  });
});
