/**
 * Raw HTTP/1.1 over a socket, for requests `app.inject()` and `fetch` cannot send as they are (a
 * malformed header line, an absolute-form request target).
 * @module
 */
import net from 'node:net';

/** A response as read off the socket. */
export interface RawReply {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

/** Parses one response (status line, headers, the rest as body). */
export function parseReply(text: string): RawReply {
  const end = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4) };
}

/**
 * Writes `bytes` to `port` on loopback and reads what comes back until the server ends the
 * connection (send `Connection: close` in a well-formed request).
 */
export async function sendRaw(port: number, bytes: string): Promise<RawReply> {
  return parseReply(await sendRawText(port, bytes));
}

/** {@link sendRaw}, the bytes read back as they came (several responses, for pipelined requests). */
export async function sendRawText(port: number, bytes: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    text += chunk;
  });
  // The server may end the connection before it read everything sent: a reset, not a failure here.
  socket.on('error', () => undefined);
  socket.write(bytes);
  await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return text;
}
