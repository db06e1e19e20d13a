/**
 * `orchestrator workers` judged the balance at a fixed 0.3 while `GET /v1/workers` judges it at
 * the configured `alerts.imbalanceThreshold`. It now takes `--config <file>` (the file `serve`
 * runs with): its threshold judges the balance, shown in the verdict and as `threshold` in
 * `--json`, and its `store` is read unless `--store` is given.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { cli, parseJson, seededStore } from './fixtures/cli-harness.js';

/** A config file holding `config`; its path. */
function configFile(config: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'orch-workers-config-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

/** worker_1 runs 3, worker_2 1: each 50% off the mean of 2. */
const uneven = () =>
  seededStore([
    ...[1, 2, 3].map((i) => ({ id: `a${i}`, status: 'running' as const, workerId: 'worker_1' })),
    { id: 'b1', status: 'running' as const, workerId: 'worker_2' },
  ]);

interface Report {
  balanced: boolean;
  threshold: number;
}

describe('orchestrator workers --config', () => {
  it("judges the balance at the config file's alerts.imbalanceThreshold and reports it", async () => {
    const url = await uneven();
    const config = configFile({ alerts: { imbalanceThreshold: 0.6 } });
    const json = await cli(['workers', '--json', '--store', url, '--config', config]);
    expect(json.code).toBe(0);
    expect(parseJson<Report>(json.stdout)).toMatchObject({ balanced: true, threshold: 0.6 });
    const human = await cli(['workers', '--store', url, '--config', config]);
    expect(human.stdout).toContain('balanced: every load is within 60% of the mean');
  });

  it('keeps the default threshold without --config', async () => {
    const url = await uneven();
    const r = await cli(['workers', '--json', '--store', url]);
    expect(parseJson<Report>(r.stdout)).toMatchObject({ balanced: false, threshold: 0.3 });
  });

  it("reads the config file's store when --store is not given", async () => {
    const url = await uneven();
    const config = configFile({ store: url, alerts: { imbalanceThreshold: 0.6 } });
    const r = await cli(['workers', '--json', '--config', config], { ORCHESTRATOR_STORE: 'memory' });
    expect(r.code).toBe(0);
    const report = parseJson<Report & { loadDistribution: Record<string, number> }>(r.stdout);
    expect(report.loadDistribution).toEqual({ worker_1: 3, worker_2: 1 });
    expect(report.threshold).toBe(0.6);
  });

  it('refuses a bad threshold naming the file and the key', async () => {
    const url = await uneven();
    const config = configFile({ alerts: { imbalanceThreshold: 'high' } });
    const r = await cli(['workers', '--store', url, '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`config file '${config}'`);
    expect(r.stderr).toContain('imbalanceThreshold');
  });

  it('refuses a file serve would refuse: not an object, or a key a file cannot set', async () => {
    const url = await uneven();
    const list = configFile([1]);
    const notObject = await cli(['workers', '--store', url, '--config', list]);
    expect(notObject.code).toBe(2);
    expect(notObject.stderr).toContain(`config file '${list}' must contain a JSON object`);
    const code = configFile({ actions: {} });
    const r = await cli(['workers', '--store', url, '--config', code]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'actions' cannot be set in a config file");
    // A key serve refuses (it read only alerts, workers and store, and dropped a misspelt one),
    // and a store URL serve refuses, named with the file.
    const misspelt = configFile({ wrokers: ['a'] });
    const typo = await cli(['workers', '--store', url, '--config', misspelt]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(
      `config file '${misspelt}': Invalid config: wrokers: unknown key 'wrokers' (did you mean 'workers'?)`,
    );
    const number = configFile({ store: 5 });
    const notUrl = await cli(['workers', '--config', number]);
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toContain(`config file '${number}': Invalid config: store: `);
    // Its store is not used under --store, so not checked.
    expect((await cli(['workers', '--store', url, '--config', number])).code).toBe(0);
  });

  it("lists the config file's workers, idle ones too, when no live node advertises its own", async () => {
    const url = await seededStore([{ id: 'b1', status: 'running' as const, workerId: 'w_b' }]);
    const config = configFile({ workers: ['w_a', 'w_b', 'w_c'] });
    const r = await cli(['workers', '--json', '--store', url, '--config', config]);
    expect(r.code).toBe(0);
    const report = parseJson<{ loadDistribution: Record<string, number> }>(r.stdout);
    expect(report.loadDistribution).toEqual({ w_a: 0, w_b: 1, w_c: 0 });
    const plain = await cli(['workers', '--json', '--store', url]);
    expect(parseJson<{ loadDistribution: Record<string, number> }>(plain.stdout).loadDistribution).toEqual({
      worker_1: 0,
      w_b: 1,
    });
    const bad = configFile({ workers: 'w_a' });
    const refused = await cli(['workers', '--store', url, '--config', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`config file '${bad}'`);
    expect(refused.stderr).toContain('workers');
  });
});
