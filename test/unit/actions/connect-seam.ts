/**
 * A connect function for the `http` action's `connect` seam, for the tests of racing connects:
 * every attempt is a real socket on loopback, but an attempt to a `held` address does not
 * connect until the test releases it, and one never released is a blackholed address (its
 * connect neither succeeds nor fails). Records every attempt in order.
 * @module
 */
import { connect as netConnect, Socket } from 'node:net';
import type { ConnectAddress } from '../../../src/actions/connect-race.js';

/** One connect attempt the action made. */
export interface Attempt {
  address: string;
  socket: Socket;
  /** Starts the real connect of a held attempt (nothing for one that was not held). */
  release(): void;
}

/** The seam and what went through it. */
export interface Connector {
  connect: ConnectAddress;
  attempts: Attempt[];
  /** Resolves once `n` attempts have started. */
  started(n: number): Promise<void>;
}

/** A connector holding the attempts to the addresses in `held`. */
export function connector(held: readonly string[]): Connector {
  const attempts: Attempt[] = [];
  const waiting: { n: number; resolve: () => void }[] = [];
  const connect: ConnectAddress = (address, port) => {
    let socket: Socket;
    let release = () => undefined;
    if (held.includes(address.address)) {
      socket = new Socket();
      release = () => void socket.connect(port, address.address);
    } else {
      socket = netConnect({ host: address.address, port });
    }
    attempts.push({ address: address.address, socket, release });
    for (const w of waiting.filter((x) => attempts.length >= x.n)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
    return socket;
  };
  const started = (n: number) =>
    attempts.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ n, resolve }));
  return { connect, attempts, started };
}
