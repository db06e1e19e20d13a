/**
 * The ledger the crash tests' child processes append every handler call to, one line a call:
 * `<kind> <execution> <step> <attempt> <key> <ms>`. A synchronous append survives SIGKILL, so the
 * parent can check what ran, how often, and with which idempotency key.
 * @module
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** One ledger line: `kind` is the child's word for the call ('run', 'undo', 'start', …). */
export interface LedgerLine {
  kind: string;
  exec: string;
  step: string;
  attempt: number;
  key: string;
  at: number;
}

/** What a line records of a step's or a compensation's context. */
export interface LedgerCall {
  executionId: string;
  stepName: string;
  attempt: number;
  idempotencyKey: string;
}

export function appendLedgerLine(file: string, kind: string, ctx: LedgerCall): void {
  appendFileSync(
    file,
    `${kind} ${ctx.executionId} ${ctx.stepName} ${ctx.attempt} ${ctx.idempotencyKey} ${Date.now()}\n`,
  );
}

/** The lines of `file` (none when it is not there yet). */
export function readLedger(file: string): LedgerLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [kind, exec, step, attempt, key, at] = l.split(' ');
      return { kind: kind!, exec: exec!, step: step!, attempt: Number(attempt), key: key!, at: Number(at) };
    });
}
