// Loopback helpers shared by the client, service and reliability tests.

import { createServer, type AddressInfo } from 'node:net';

/** A loopback URL nothing listens on (a port that was free a moment ago): connections are refused. */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
