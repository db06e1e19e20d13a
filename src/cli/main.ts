#!/usr/bin/env node
/**
 * The `orchestrator` entry point: holds Ctrl-C and SIGTERM before anything else loads (see
 * `interrupt.ts`: a signal during start-up reaches the command instead of killing the process
 * with nothing printed), then loads and runs the program (`program.ts`).
 * @module
 */
import { exitInterruptedTwice, holdInterrupts } from './interrupt.js';
import { jsonFlagIn } from './json-flag.js';

const json = jsonFlagIn(process.argv);
holdInterrupts(() => exitInterruptedTwice(json));
await import('./program.js');
