// The simulator held to recordings of real Kafka Connect (test/fixtures/real-answers, recorded and checked against
// real workers by test/kafka/real-connect.test.ts): the same situation, the same requests, the same answers.

import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../packages/simulator/src/index.ts';
import { call } from '../../packages/simulator/test/http.ts';
import { normalise, PROBE_CONNECTOR, PROBE_TRACE, PROBES, readRecording } from './real-answers.ts';

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
    expect(answers).toEqual(readRecording(version));
    // Key order too, as the real worker's JSON writer has it.
    expect(JSON.stringify(answers)).toBe(JSON.stringify(readRecording(version)));
  });
});
