/**
 * Takes the README's dashboard screenshots (`docs/dashboard-overview.png`,
 * `docs/dashboard-timeline.png`) at 1280×800: runs the three example workflows for a while —
 * some with a retried step, some failing into compensation — then photographs the overview
 * and the timeline of a data-pipeline execution with a retry wait, parallel branches and a
 * compensation. Not a test; run it by hand:
 *
 *     npx tsx test/browser/screenshots.ts
 *
 * `SCREENSHOT_EXTRA_DIR=/tmp/shots` also photographs the other pages there (for review);
 * `SCREENSHOT_TRAFFIC_SECONDS` sets how long the examples run first (default 50).
 * @module
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { actions, compensations } from '../../examples/handlers.js';
import { launchBrowser, openPage, type Server, signIn, startServer } from './helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const docs = join(root, 'docs');
const TRAFFIC_SECONDS = Number(process.env.SCREENSHOT_TRAFFIC_SECONDS ?? 50);

const WORKFLOWS = ['voice-transcription', 'user-registration', 'data-pipeline'];
const INPUTS: Record<string, () => Record<string, unknown>> = {
  'voice-transcription': () => ({ audioUrl: 'https://example.com/hello.wav', userId: 123 }),
  'user-registration': () => ({ email: 'ada@example.com', name: 'Ada' }),
  'data-pipeline': () => ({ source: 's3://example-bucket/exports/latest.csv' }),
};
const RETRY_STEP: Record<string, string> = {
  'voice-transcription': 'transcribe_stt',
  'user-registration': 'send_email',
  'data-pipeline': 'transform_orders',
};
const FAIL_STEP: Record<string, string> = {
  'voice-transcription': 'store_result',
  'user-registration': 'create_session',
  'data-pipeline': 'publish_report',
};

async function start(server: Server, workflow: string, input: Record<string, unknown>): Promise<string> {
  const res = await server.api<{ id: string }>(`/v1/workflows/${workflow}/executions`, { body: { input } });
  if (res.status !== 202) throw new Error(`start ${workflow}: ${res.status}`);
  return res.body.id;
}

async function traffic(server: Server): Promise<void> {
  const end = Date.now() + TRAFFIC_SECONDS * 1000;
  let n = 0;
  while (Date.now() < end) {
    const workflow = WORKFLOWS[n % WORKFLOWS.length] as string;
    const input: Record<string, unknown> = { ...INPUTS[workflow]?.(), latency: 0.6 + (n % 5) * 0.15 };
    if (n % 7 === 3) input.failures = { [RETRY_STEP[workflow] as string]: 1 };
    if (n % 11 === 5) input.fail = FAIL_STEP[workflow];
    await start(server, workflow, input);
    n++;
    await new Promise((r) => setTimeout(r, 250 + ((n * 37) % 300)));
  }
}

async function main(): Promise<void> {
  mkdirSync(docs, { recursive: true });
  const server = await startServer({
    orchestrator: { actions, compensations, alerts: { executionTimeMs: 2000, cooldown: 600 } },
    dashboard: { bucketSeconds: 2, windowMinutes: 1.5 },
  });
  const { browser, close } = await launchBrowser();
  try {
    for (const name of WORKFLOWS) {
      const def = JSON.parse(readFileSync(join(root, 'examples', `${name}.json`), 'utf8'));
      const res = await server.api('/v1/workflows', { body: def });
      if (res.status !== 201) throw new Error(`define ${name}: ${res.status}`);
    }
    const featured = await start(server, 'data-pipeline', {
      ...INPUTS['data-pipeline']?.(),
      failures: { transform_orders: 1 },
      fail: 'publish_report',
    });
    await traffic(server);
    // A few long ones, so the overview shows work in progress.
    for (const w of WORKFLOWS) await start(server, w, { ...INPUTS[w]?.(), latency: 20 });
    await server.orch.workflowEngine.waitForCompletion(featured, { timeout: 30 });

    const { page, watch } = await openPage(browser);
    await signIn(page, server);
    await page.waitForSelector('[data-chart="latency"] canvas');
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(docs, 'dashboard-overview.png') });

    await page.goto(`${server.url}/executions/${featured}`);
    await page.waitForSelector('.timeline');
    await page.screenshot({ path: join(docs, 'dashboard-timeline.png') });
    const extra = process.env.SCREENSHOT_EXTRA_DIR;
    if (extra) {
      mkdirSync(extra, { recursive: true });
      for (const [name, path] of [
        ['workflows', '/workflows'],
        ['workflow', '/workflows/data-pipeline'],
        ['executions', '/executions'],
        ['workers', '/workers'],
      ] as const) {
        await page.goto(server.url + path);
        await page.waitForTimeout(300);
        await page.screenshot({ path: join(extra, `${name}.png`), fullPage: true });
      }
      await page.goto(`${server.url}/executions/${featured}`);
      await page.screenshot({ path: join(extra, 'execution-full.png'), fullPage: true });
    }
    if (watch.errors.length > 0) throw new Error(`console errors: ${watch.errors.join('\n')}`);
    console.log(`screenshots written to ${docs} (featured execution ${featured})`);
  } finally {
    await close();
    await server.close();
  }
}

await main();
