/**
 * Which response bodies the `http` action reads as text, and how: JSON, `text/*`, XML, JavaScript,
 * form data and untyped bodies, decoded in their declared charset (UTF-8 by default, or when the
 * label is unknown) by a strict decoder, so bytes that are not valid in it make no text rather
 * than U+FFFD.
 * @module
 */

const TEXTUAL = /^(text\/|application\/(xml|javascript|x-www-form-urlencoded)|[^;]*\+xml)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;

/** Whether a `Content-Type` is JSON (`application/json`, `application/problem+json`). */
export function isJsonType(type: string): boolean {
  return /[/+]json\b/i.test(type);
}

/** Whether a body of this `Content-Type` (`''` when there is none) is read as text. */
export function isTextType(type: string): boolean {
  return type === '' || isJsonType(type) || TEXTUAL.test(type);
}

/** A strict decoder for `charset`, or for UTF-8 when the label is unknown. */
function decoderFor(charset: string) {
  try {
    return new TextDecoder(charset, { fatal: true });
  } catch {
    return new TextDecoder('utf-8', { fatal: true });
  }
}

/**
 * The bytes as text in the charset `type` declares (UTF-8 if none or unknown), or null when they
 * are not valid in it. `partial`: the bytes are the start of a longer body, so a character cut at
 * their end is left out rather than taken for an invalid one.
 */
export function decodeText(bytes: Buffer, type: string, partial = false): string | null {
  try {
    return decoderFor(CHARSET.exec(type)?.[1] ?? 'utf-8').decode(bytes, { stream: partial });
  } catch {
    return null;
  }
}
