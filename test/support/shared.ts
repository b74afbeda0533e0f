// Where the read-only reference material lives: the `shared/` folder beside the repository (as in CI's checkout),
// or wherever CONNECT_SENTINEL_SHARED points.

import { fileURLToPath } from 'node:url';

export const SHARED_DIR = process.env.CONNECT_SENTINEL_SHARED ?? fileURLToPath(new URL('../../../shared', import.meta.url));
export const SAMPLES_DIR = `${SHARED_DIR}/connect-samples`;
