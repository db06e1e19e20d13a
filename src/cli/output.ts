/**
 * Where the CLI writes: human lines or JSON on stdout, warnings and errors on stderr. Commands
 * get one {@link Output}; tests can give it string sinks.
 * @module
 */
import { printable } from './format.js';
import { colorsWanted, createStyle, type Style } from './style.js';

/** Something text can be written to (a stream, or a test buffer). */
export interface Sink {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Sinks a JSON document was written to. `--json` output is exactly one document, so an error
 * after it (closing the store failed, say) goes to stderr only, whichever Output reports it.
 */
const documentWritten = new WeakSet<Sink>();

/** The CLI's output channel for one command. */
export class Output {
  /** `--json`: machine output only (no progress, no decoration). */
  readonly json: boolean;
  /** Colours of stdout (off unless it is a TTY). */
  readonly style: Style;
  private readonly out: Sink;
  private readonly err: Sink;

  constructor(options: { json: boolean; stdout?: Sink; stderr?: Sink; colors?: boolean }) {
    this.json = options.json;
    this.out = options.stdout ?? process.stdout;
    this.err = options.stderr ?? process.stderr;
    this.style = createStyle(!this.json && (options.colors ?? colorsWanted(this.out)));
  }

  /** One or more lines of human output (ignored in JSON mode). */
  line(...lines: string[]): void {
    if (this.json) return;
    for (const text of lines) this.out.write(`${text}\n`);
  }

  /** A value as pretty JSON on stdout (JSON mode's only output). */
  data(value: unknown): void {
    this.out.write(`${JSON.stringify(value, null, 2)}\n`);
    documentWritten.add(this.out);
  }

  /** A warning on stderr (both modes). */
  warn(message: string): void {
    this.err.write(`warning: ${message}\n`);
  }

  /** A line on stderr in both modes (e.g. why a command did not do what was asked). */
  problem(message: string): void {
    this.err.write(`${message}\n`);
  }

  /** A note on stderr, human mode only (e.g. what happens on Ctrl-C). */
  note(message: string): void {
    if (!this.json) this.err.write(`${message}\n`);
  }

  /**
   * The one-line error report: `error: ...` on stderr, plus `{ error }` JSON on stdout in JSON
   * mode unless a document is there already (stdout then keeps that one document).
   */
  error(code: string, message: string, printed = false): void {
    // Control characters of what the user gave (an id, a file name) would drive the terminal.
    if (!printed) this.err.write(`error: ${printable(message)}\n`);
    if (this.json && !documentWritten.has(this.out)) this.data({ error: { code, message } });
  }
}
