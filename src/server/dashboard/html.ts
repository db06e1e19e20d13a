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

/** Escapes `& < > " '` for text and (double- or single-quoted) attribute values. */
export function esc(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
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
