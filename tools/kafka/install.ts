// Fetches every Kafka version of the real-Kafka tier with Maven and compiles the fault plugin for each, so that the
// tests find them ready: `node tools/kafka/install.ts` (tools/test.sh runs it).

import { GHOST_TASKS_VERSION, installKafka, KAFKA_13719_VERSION, KAFKA_VERSIONS } from './launcher.ts';

for (const version of [...KAFKA_VERSIONS, KAFKA_13719_VERSION, GHOST_TASKS_VERSION]) {
  const install = await installKafka(version);
  process.stdout.write(`Kafka ${version}: ${install.lib}\n`);
}
