/**
 * `string()` of bytes that are not UTF-8 fails, as in CEL. The library decoded them as JavaScript's
 * `TextDecoder` does by default, putting U+FFFD for each byte it could not read: `string(b'\xff')`
 * was `'�'`, so a condition comparing decoded bytes decided on text no one sent. {@link guardBytesText}
 * makes such a call fail.
 * @module
 */
import { callName, type FunctionHandle, forEachNode, type HandledNode } from './cel-ast.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function guardNode(node: HandledNode<FunctionHandle>): void {
  const library = node.handle;
  if (typeof library !== 'function' || callName(node) !== 'string') return;
  node.handle = (values, self, ev) => {
    const bytes = values[0];
    if (values.length !== 1 || !(bytes instanceof Uint8Array)) return library(values, self, ev);
    try {
      return UTF8.decode(bytes);
    } catch {
      throw new Error(`string() of bytes that are not UTF-8 text (${bytes.length} bytes)`);
    }
  };
}

/** Makes the `string()` calls of `ast` (a checked expression) fail on bytes that are not UTF-8. */
export function guardBytesText(ast: unknown): void {
  forEachNode(ast, guardNode);
}
