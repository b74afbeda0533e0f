// The captured Kafka Connect responses the tests read, kept in the repository (test/fixtures/connect-samples, whose
// README says where each capture came from).

import { fileURLToPath } from 'node:url';

export const SAMPLES_DIR = fileURLToPath(new URL('../fixtures/connect-samples', import.meta.url));
