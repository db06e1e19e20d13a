/**
 * Simulated services of the voice-transcription workflow: validate audio → speech-to-text
 * (~300 ms) → LLM (~400 ms) → text-to-speech (~250 ms) → store the result.
 * @module
 */

import type { ActionHandler, CompensationHandler } from '../../src/index.js';
import { NonRetryableError } from '../../src/index.js';
import {
  failIfAsked,
  firstStepFlags,
  log,
  simulated,
  simulatedUndo,
  simulationOf,
  stableId,
  unitFrom,
  work,
} from './simulation.js';

const FORMATS = ['wav', 'mp3', 'ogg', 'flac', 'm4a'];

const TRANSCRIPTS = [
  'What is the weather like in Lisbon tomorrow?',
  'Remind me to call the dentist at nine.',
  'Translate good morning into Japanese.',
  'How long does it take to boil an egg?',
];

/** Results "stored" by this process (the simulated database). */
const results = new Map<string, unknown>();

interface AudioInput {
  audioUrl?: unknown;
  userId?: unknown;
}

/** The http(s) URL `value` holds, if it holds one. */
function httpUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
}

/** The file extension of a URL's path (`wav` of `https://x/a.wav?sig=…`), '' if it has none. */
function formatOf(url: URL): string {
  const file = url.pathname.split('/').pop() ?? '';
  return file.includes('.') ? (file.split('.').pop() ?? '').toLowerCase() : '';
}

const validateAudio: ActionHandler = async (input, ctx) => {
  const flags = firstStepFlags(input, ctx, ['audioUrl', 'userId'], {
    actions: voiceActions,
    compensations: voiceCompensations,
  });
  await work(5, flags, ctx.signal);
  failIfAsked('audio validator', flags, ctx);
  const { audioUrl, userId } = (input ?? {}) as AudioInput;
  const url = httpUrl(audioUrl);
  if (!url) {
    throw new NonRetryableError('input.audioUrl must be an http(s) URL', { code: 'INVALID_AUDIO' });
  }
  const format = formatOf(url);
  if (!FORMATS.includes(format)) {
    throw new NonRetryableError(`unsupported audio format '${format}' (expected ${FORMATS.join(', ')})`, {
      code: 'INVALID_AUDIO',
    });
  }
  if (userId === undefined || userId === null) {
    throw new NonRetryableError('input.userId is required', { code: 'INVALID_AUDIO' });
  }
  const simulation = simulationOf(input);
  return {
    audioUrl,
    format,
    durationSec: Math.round((1 + unitFrom(url.href) * 9) * 10) / 10,
    ...(simulation ? { simulation } : {}),
  };
};

/** Actions of the voice workflow. */
export const voiceActions: Record<string, ActionHandler> = {
  validate_audio: validateAudio,
  transcribe_stt: simulated<AudioInput>('speech-to-text service', 300, (input) => ({
    text: TRANSCRIPTS[Math.floor(unitFrom(String(input.audioUrl)) * TRANSCRIPTS.length)],
    language: 'en',
    confidence: 0.94,
  })),
  process_llm: simulated<{ text?: string }>('LLM service', 400, (input) => ({
    reply: `Here is what I found about "${input.text ?? ''}": it is all simulated, but the pipeline is real.`,
    model: 'sim-llm-1',
    tokens: 42,
  })),
  synthesize_tts: simulated<{ text?: string }>('text-to-speech service', 250, (input, ctx) => ({
    audioUrl: `https://cdn.example.com/tts/${stableId('tts', ctx.idempotencyKey)}.wav`,
    durationSec: Math.round(((input.text ?? '').length / 15) * 10) / 10,
  })),
  store_result: simulated<Record<string, unknown>>('result store', 20, (input, ctx) => {
    // Derived from the idempotency key: a re-run after a crash overwrites the same record.
    const resultId = stableId('res', ctx.idempotencyKey);
    results.set(resultId, input);
    return { resultId };
  }),
};

/** Compensations of the voice workflow. */
export const voiceCompensations: Record<string, CompensationHandler> = {
  delete_audio: simulatedUndo('delete_audio', 'text-to-speech service', 15, (output) => {
    log(`undo synthesize_tts: deleting synthesized audio ${output.audioUrl}`);
  }),
  delete_result: simulatedUndo('delete_result', 'result store', 15, (output) => {
    const resultId = String(output.resultId ?? '?');
    results.delete(resultId);
    log(`undo store_result: deleting stored result ${resultId}`);
  }),
};
