/**
 * Whether a PostgreSQL server answers at all, asked on a connection of its own: a close that waits
 * on the store's slow last writes tells a healthy but slow server (a large final flush, a row
 * another session keeps locked) from one cut off by a partition, which it abandons.
 * @module
 */
import pg from 'pg';
import { bounded, clientConfig, destroyClient, endClient } from './connection.js';

/**
 * Whether the server at `url` answers a `SELECT 1` on a new connection within `ms` (the connect
 * included). The connection is then ended; one that got no answer is destroyed, without a goodbye.
 */
export async function serverAnswers(url: string, applicationName: string, ms: number): Promise<boolean> {
  const client = new pg.Client(clientConfig(url, applicationName, ms));
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const asked = client
    .connect()
    .then(() => client.query(bounded('SELECT 1', ms)))
    .then(
      () => true,
      () => false,
    );
  try {
    const answered = await Promise.race([asked, late]);
    if (answered) await endClient(client);
    else destroyClient(client);
    return answered;
  } finally {
    clearTimeout(timer);
  }
}
