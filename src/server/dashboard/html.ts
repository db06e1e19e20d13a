/**
 * HTML that escapes by default. Every page of the dashboard is built with the {@link html}
 * tagged template: each interpolated value is escaped (`& < > " '`) unless it is already
 * {@link SafeHtml} (another `html` fragment, or a trusted constant wrapped in {@link raw}).
 * Workflow ids, step names, inputs, outputs and error messages therefore can never become
 * markup, whatever they contain.
 * @module
 */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * The bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F,
 * U+202A–U+202E, U+2066–U+2069). In a value shown as it is, an override turns the text after it
 * around: `"héllo \u202eevil",` in an output read `"héllo ,"live`, the JSON's own punctuation
 * included. Ids and step names are ASCII; a value that holds one (an output, an error message, a
 * description, an idempotency key) shows it as `\u202e`, as the CLI does.
 */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Escapes `& < > " '` for text and (double- or single-quoted) attribute values, and shows the
 * bidirectional controls as `\uXXXX` (see {@link BIDI_CONTROLS}).
 */
export function esc(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value)
    .replace(/[&<>"']/g, (c) => ENTITIES[c] as string)
    .replace(BIDI_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Markup that is inserted as it is. Only {@link html} and {@link raw} make one. */
export class SafeHtml {
  readonly value: string;
  /** @internal Use {@link html} or {@link raw}. */
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

/** Marks a trusted string (a constant written in this code base, never data) as markup. */
export function raw(trusted: string): SafeHtml {
  return new SafeHtml(trusted);
}

/**
 * What an interpolated value renders as: fragments as they are, arrays item by item,
 * `null` / `undefined` / `false` as nothing, anything else escaped.
 */
function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return esc(value);
}

/**
 * The escaping template tag: `html\`<td>${step.name}</td>\`` escapes `step.name`.
 * @example
 * ```ts
 * html`<a href="/executions/${encodeURIComponent(id)}">${id}</a>`
 * ```
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Joins fragments (or escaped values) with a trusted separator. */
export function join(items: readonly unknown[], separator = ''): SafeHtml {
  return new SafeHtml(items.map(render).join(separator));
}
