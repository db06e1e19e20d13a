/**
 * The values an `http` action's request body holds under names that look like secrets
 * (`secret-names.ts`), so that a server repeating them in an error body is not repeated with them
 * (`request-secrets.ts`): `{"client_secret":"…"}` or `client_secret=…&grant_type=…` (a form, as
 * an OAuth token request sends). Under such a name every string and number is taken, nested ones
 * too (`{"credentials":{"user":"…","pass":"…"}}`). The other fields are left: a server's
 * validation error quotes the values it refuses, and redacting them would hide what it is about.
 * @module
 */
import { isSecretName } from '../secret-names.js';

/** How deep and how many values a body is walked: a body is at most what the input holds. */
const MAX_DEPTH = 64;
const MAX_NODES = 100_000;

/** Collects the values of `value` (all of them when `secret`, else those under secret names). */
function walk(
  value: unknown,
  secret: boolean,
  depth: number,
  out: string[],
  budget: { nodes: number },
): void {
  if (depth > MAX_DEPTH || --budget.nodes < 0) return;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') {
    if (secret) out.push(String(value));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) walk(item, secret, depth + 1, out, budget);
    return;
  }
  for (const [name, item] of Object.entries(value)) {
    walk(item, secret || isSecretName(name), depth + 1, out, budget);
  }
}

/** The values of a form (`a=1&b=2`) under secret names, as written and decoded. */
function formSecrets(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const [name, value] = [...new URLSearchParams(part)][0] ?? ['', ''];
    if (isSecretName(name)) out.push(part.slice(eq + 1), value);
  }
  return out;
}

/** The secret values of a request `body` as the input gave it (see the module). */
export function bodySecrets(body: unknown): string[] {
  const out: string[] = [];
  if (typeof body === 'string') {
    const text = body.trim();
    if (text.startsWith('{') || text.startsWith('[')) {
      try {
        walk(JSON.parse(text) as unknown, false, 0, out, { nodes: MAX_NODES });
        return out;
      } catch {
        // Not JSON: perhaps a form.
      }
    }
    return text.includes('=') ? formSecrets(text) : out;
  }
  walk(body, false, 0, out, { nodes: MAX_NODES });
  return out;
}
