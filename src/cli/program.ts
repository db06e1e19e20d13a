/**
 * The `orchestrator` command line (SPEC §7), loaded by the entry point `main.ts`. Each command lives in its own module under
 * `commands/` and exports `register(program)`; add a command by adding its `register` to
 * `COMMANDS` (`command-list.ts`). What a command does is in `actions/`, imported only when it
 * runs, so that `--version`, `--help` and a usage error load no engine, server or store driver.
 * This is the only place in the package that exits the process.
 * @module
 */
import { Command, CommanderError } from 'commander';
import { nonUtf8Argument, valueFlags } from './argv-utf8.js';
import { ignoreClosedPipes } from './closed-pipes.js';
import { COMMANDS } from './command-list.js';
import { CliError, EXIT, reportFor, UsageError } from './errors.js';
import { printable } from './format.js';
import { addGlobalOptions } from './globals.js';
import { exitOnInterrupt, isListening, releaseInterrupts } from './interrupt.js';
import { jsonFlagIn } from './json-flag.js';
import { Output } from './output.js';
import { refuseRepeatedOptions } from './repeated-options.js';
import { packageVersion } from './version.js';

/** A commander error line and the suggestion it ends with, on a line of its own. */
const SUGGESTION = /^([\s\S]*?)(?:\n(\(Did you mean [^\n]*\?\)))?$/;

/**
 * The program. `helpSink`: with `--json`, where commander's help text goes instead of stdout,
 * so that it is printed as one JSON document (commands created later inherit the setting).
 */
function createProgram(helpSink?: string[]): Command {
  const program = new Command('orchestrator')
    .description('Durable workflow orchestrator: run workflows and inspect executions in a store')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .showSuggestionAfterError()
    .configureHelp({ showGlobalOptions: true });
  // Commander's own errors quote what was typed (`unknown option '--x'`): its control characters
  // are shown as escapes, as in every other error line, not sent to the terminal. Its suggestion
  // (`(Did you mean --json?)`, a name it knows) keeps its own line.
  program.configureOutput({
    outputError: (text, write) => {
      const [, error = text, suggestion] = SUGGESTION.exec(text.replace(/\n$/, '')) ?? [];
      write(`${printable(error)}\n${suggestion ? `${suggestion}\n` : ''}`);
    },
  });
  if (helpSink) program.configureOutput({ writeOut: (text) => helpSink.push(text) });
  addGlobalOptions(program);
  for (const register of COMMANDS) register(program);
  registerHelp(program);
  refuseRepeatedOptions(program);
  let stopListening: () => void = () => undefined;
  program.hook('preAction', (_program, command) => {
    // Signals are held since the start; one that came meanwhile ends a command that does not
    // listen for them now, as interrupted, and a later one ends it with the same report and exit
    // code (what it wrote so far stays written: a purge's batches each commit on their own).
    if (isListening(command)) return;
    const json = command.optsWithGlobals<{ json?: boolean }>().json === true;
    stopListening = exitOnInterrupt((signal) => {
      const message = `interrupted (${signal}): ${command.name()} stopped before it finished`;
      new Output({ json }).error('INTERRUPTED', message);
      process.exit(EXIT.interrupted);
    });
    if (releaseInterrupts() !== null) {
      throw new CliError('interrupted before the command started', {
        exitCode: EXIT.interrupted,
        code: 'INTERRUPTED',
      });
    }
  });
  program.hook('postAction', () => stopListening());
  return program;
}

/**
 * `help [command]`, in place of commander's own, which answers an unknown name with the whole
 * program help on stderr and no word of what was wrong: here it is a usage error naming it.
 */
function registerHelp(program: Command): void {
  program.helpCommand(false);
  program
    .command('help [command]')
    .description('display help for command')
    .action((name: string | undefined) => {
      if (name === undefined) program.help();
      const command = program.commands.find((c) => c.name() === name);
      if (command === undefined) {
        program.error(`error: unknown command '${name}' (see orchestrator --help)`, {
          code: 'commander.unknownCommand',
          exitCode: 2,
        });
      }
      command.help();
    });
}

async function main(argv: string[]): Promise<number> {
  const json = jsonFlagIn(argv);
  const helpText: string[] = [];
  try {
    process.exitCode = undefined;
    const program = createProgram(json ? helpText : undefined);
    const notUtf8 = nonUtf8Argument(argv.slice(2), valueFlags(program));
    if (notUtf8 !== null) throw new UsageError(notUtf8);
    await program.parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (error) {
    const report = reportFor(error);
    if (json && report.exitCode === 0 && error instanceof CommanderError) {
      // `--version` / `--help` with `--json`: one JSON document, like every other command.
      const isVersion = error.code === 'commander.version';
      new Output({ json }).data(isVersion ? { version: packageVersion() } : { help: helpText.join('') });
    }
    if (report.exitCode !== 0) {
      new Output({ json }).error(report.code, report.message, report.printed);
      if (process.env.ORCHESTRATOR_DEBUG && error instanceof Error && error.stack) {
        process.stderr.write(`${error.stack}\n`);
      }
    }
    return report.exitCode;
  }
}

const outputs = ignoreClosedPipes();
const code = await main(process.argv);
// Let buffered output reach a pipe before exiting; output lost on the way fails the command.
process.stdout.write('', (error) => {
  const lost = outputs.lostOutput(error);
  if (lost === null || code !== EXIT.ok) process.exit(code);
  process.stderr.write(`error: the output could not be written to stdout (${printable(lost.message)})\n`);
  process.exit(EXIT.failed);
});
