// The simulator held to recordings of real Kafka Connect (test/fixtures/real-answers, recorded and checked against
// real workers by test/kafka/real-connect.test.ts): the same situation, the same requests, the same answers.

import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../packages/simulator/src/index.ts';
import { call } from '../../packages/simulator/test/http.ts';
import { normalise, PROBE_CONNECTOR, PROBE_TRACE, PROBES, readRecording, recordSequence, SEQUENCE, SEQUENCE_CONNECTOR } from './real-answers.ts';

describe.each(['3.9.1', '4.3.1'])('the simulator as Kafka Connect %s answered', (version) => {
  let sim: Simulator | undefined;
  afterEach(() => sim?.close());

  it('answers the recorded requests as the real worker did', async () => {
    sim = await startSimulator({ version });
    // The fault plugin's connector (tools/kafka/fault-plugin), which the simulator does not know, failing as it did.
    sim.cluster.add({ name: PROBE_CONNECTOR, connectorClass: 'connect.sentinel.fault.FaultSourceConnector', type: 'source', version: '1.0.0-fault', tasks: 1 });
    sim.cluster.failTask(PROBE_CONNECTOR, 0, { trace: PROBE_TRACE });
    const answers = [];
    for (const probe of PROBES) {
      const answer = await call(sim, probe.method, probe.path);
      answers.push(normalise(probe.name, answer.status, answer.text));
    }
    const recorded = readRecording(version).answers;
    expect(answers).toEqual(recorded);
    // Key order too, as the real worker's JSON writer has it.
    expect(JSON.stringify(answers)).toBe(JSON.stringify(recorded));
  });

  it("shows a connector's status through pause, resume, stop and resume as the real worker did", async () => {
    sim = await startSimulator({ version });
    const simulator = sim;
    simulator.cluster.add({ name: SEQUENCE_CONNECTOR, connectorClass: 'connect.sentinel.fault.FaultSourceConnector', type: 'source', version: '1.0.0-fault', tasks: 1 });
    simulator.cluster.failTask(SEQUENCE_CONNECTOR, 0, { trace: PROBE_TRACE });
    // The fault plugin's task fails at every start; the model has no plugin code, so the test fails the new task.
    const restartedFromStopped = SEQUENCE.findIndex((step) => step.name.startsWith('resumed from STOPPED'));
    const sequence = await recordSequence((method, path) => call(simulator, method, path), 5_000, (step) => {
      if (step === restartedFromStopped) simulator.cluster.failTask(SEQUENCE_CONNECTOR, 0, { trace: PROBE_TRACE });
    });
    const recorded = readRecording(version).sequence;
    expect(sequence).toEqual(recorded);
    expect(JSON.stringify(sequence)).toBe(JSON.stringify(recorded));
  });
});
