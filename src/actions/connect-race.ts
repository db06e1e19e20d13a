/**
 * Connecting to one of a host's vetted addresses, Happy Eyeballs style (RFC 8305, simplified):
 * attempts start in the resolver's order with the address families alternating, the next one as
 * soon as the previous failed or when none has connected within the attempt delay (250 ms by
 * default), while the earlier attempts keep going. The first socket to connect wins; every other
 * is destroyed. A blackholed address (its connect neither succeeds nor fails) so costs one
 * attempt delay, and a slow but working first address is not given up. Only TCP connects race:
 * nothing is written here, so the caller sends its request once, on the winner.
 * @module
 */
import { connect as netConnect, type Socket } from 'node:net';
import { echo } from '../echo.js';
import type { ResolvedAddress } from './ssrf-guard.js';

/** Starts a TCP connect to `address`; the socket emits `connect` or `error` (injectable for tests). */
export type ConnectAddress = (address: ResolvedAddress, port: number) => Socket;

/** The default {@link ConnectAddress}: `net.connect` to the IP address itself (no DNS lookup). */
export const connectTcp: ConnectAddress = (address, port) =>
  netConnect({ host: address.address, port, family: address.family, noDelay: true });

/**
 * The connection to one address could not be made (refused, unreachable, no such local
 * address): nothing was sent. `code` is the socket's error code; `cause` the socket's error.
 */
export class ConnectError extends Error {
  /** The socket's error code (`ECONNREFUSED`, ...). */
  readonly code: string;
  /** The address that could not be reached. */
  readonly address: string;
  constructor(code: string, address: string, cause: unknown) {
    super(`Could not connect to ${address}: ${code}`, { cause });
    this.name = 'ConnectError';
    this.code = code;
    this.address = address;
  }
}

/**
 * The call's signal aborted before any address connected (nothing was sent): which of the
 * host's addresses had been tried by then. `reason` is the signal's.
 */
export class ConnectAborted extends Error {
  /** The host whose addresses were being connected to. */
  readonly host: string;
  /** The addresses whose attempts had started, in order. */
  readonly tried: readonly string[];
  /** How many addresses the host has. */
  readonly total: number;
  readonly reason: unknown;
  constructor(host: string, tried: readonly string[], total: number, reason: unknown) {
    super(`Connecting to ${echo(host)} was stopped (${tried.length} of ${total} addresses tried)`, {
      cause: reason,
    });
    this.name = 'ConnectAborted';
    this.host = host;
    this.tried = tried;
    this.total = total;
    this.reason = reason;
  }
}

/** A connected socket and the address it is connected to. */
export interface Connected {
  socket: Socket;
  address: ResolvedAddress;
}

/** Options of {@link connectFirst}. */
export interface RaceOptions {
  /** Starts one attempt. @default {@link connectTcp} */
  connect: ConnectAddress;
  /** Milliseconds without a connection before the next address is tried too. */
  attemptDelayMs: number;
}

/**
 * The addresses in the order they are tried: families alternate, starting with the resolver's
 * first (RFC 8305 §4), each family in the resolver's order. A host whose IPv6 addresses are all
 * unreachable so reaches IPv4 after one attempt delay, not one per IPv6 address.
 */
export function interleaveFamilies(addresses: readonly ResolvedAddress[]): ResolvedAddress[] {
  const first = addresses[0]?.family;
  const same = addresses.filter((a) => a.family === first);
  const other = addresses.filter((a) => a.family !== first);
  const order: ResolvedAddress[] = [];
  for (let i = 0; i < Math.max(same.length, other.length); i++) {
    const a = same[i];
    const b = other[i];
    if (a) order.push(a);
    if (b) order.push(b);
  }
  return order;
}

/**
 * Connects to the first of `addresses` to answer (see the module comment). Any error before a
 * socket connected means nothing was sent on it, so the race goes on.
 * @throws the last {@link ConnectError} when every address failed; {@link ConnectAborted} when
 * the signal aborts first (every socket destroyed, the timer cleared); a synchronous throw of
 * `connect`.
 */
export function connectFirst(
  host: string,
  addresses: readonly ResolvedAddress[],
  port: number,
  signal: AbortSignal,
  options: RaceOptions,
): Promise<Connected> {
  const order = interleaveFamilies(addresses);
  return new Promise<Connected>((resolve, reject) => {
    const tried: string[] = [];
    if (signal.aborted) {
      reject(new ConnectAborted(host, tried, addresses.length, signal.reason));
      return;
    }
    const pending = new Set<Socket>();
    let next = 0;
    let timer: NodeJS.Timeout | undefined;
    let last: ConnectError | undefined;
    let done = false;
    const stop = () => {
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      for (const socket of pending) socket.destroy();
      pending.clear();
    };
    const onAbort = () => {
      stop();
      reject(new ConnectAborted(host, tried, addresses.length, signal.reason));
    };
    const start = () => {
      clearTimeout(timer);
      const address = order[next++];
      if (!address) {
        if (pending.size > 0) return;
        stop();
        reject(last ?? new Error('No address to connect to'));
        return;
      }
      tried.push(address.address);
      let socket: Socket;
      try {
        socket = options.connect(address, port);
      } catch (error) {
        stop();
        reject(error);
        return;
      }
      pending.add(socket);
      // Stays on a loser after it is destroyed: a late error is dropped, not thrown.
      const onError = (error: Error) => {
        pending.delete(socket);
        socket.destroy();
        if (done) return;
        const code = (error as { code?: unknown }).code;
        last = new ConnectError(typeof code === 'string' ? code : error.message, address.address, error);
        start();
      };
      socket.on('error', onError);
      socket.once('connect', () => {
        if (done) return;
        pending.delete(socket);
        socket.removeListener('error', onError);
        stop();
        resolve({ socket, address });
      });
      if (next < order.length) timer = setTimeout(start, options.attemptDelayMs);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    start();
  });
}
