/**
 * The balance score as the dashboard and `orchestrator workers` show it: two decimals, rounded
 * down, so that `1.00` is only ever the score of a placement as even as whole executions allow
 * (rounded to the nearest, 1000-998 — 0.998, a spread of 2 where 0 was possible — read `1.00`).
 * @module
 */

/** `score` (0..1) with two decimals, rounded down. */
export function scoreText(score: number): string {
  // The tolerance keeps a score such as 0.29, stored a hair below, from reading 0.28.
  return (Math.floor(score * 100 + 1e-9) / 100).toFixed(2);
}

/**
 * What the balance score means, in words, for the dashboard's hint and the CLI's legend: one
 * wording for both, as `LoadBalancer.balanceScore()` computes it.
 */
export const SCORE_MEANING =
  '1 − m / M: m executions would have to move to even the load out, M if all sat on one worker';
