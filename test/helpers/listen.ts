/**
 * A throwaway HTTP server for one test: listening on 127.0.0.1 at a free port, closed (its
 * connections too) when the test ends.
 * @module
 */
import type { Server } from 'node:http';
import { onTestFinished } from 'vitest';

/** Starts `server` on loopback and returns its base URL (`http://127.0.0.1:<port>`). */
export async function listenForTest(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return `http://127.0.0.1:${port}`;
}
