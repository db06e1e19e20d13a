/**
 * The dashboard's static files under `/assets/`: its own script and stylesheet (next to this
 * module; `npm run build` copies them to `dist`) and the vendor files htmx and uPlot, served
 * straight from `node_modules` through @fastify/static. Only the names in a fixed table are
 * reachable: no directory listing, no path from the request ever touches the file system.
 * @module
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { echo } from '../../echo.js';
import { requestPath } from '../request-path.js';
import { route } from './guard.js';

const require = createRequire(import.meta.url);
const OWN_ASSETS = fileURLToPath(new URL('./assets/', import.meta.url));

/** How long a browser may reuse an asset without asking again: `Cache-Control: public, max-age=300`. */
const ASSET_MAX_AGE_MS = 5 * 60_000;

/** Files served under `/assets/`: name → [folder, file]. Nothing else is reachable. */
export function assetTable(): Record<string, [string, string]> {
  const vendor = (specifier: string): [string, string] => {
    const path = require.resolve(specifier);
    return [dirname(path), path.slice(dirname(path).length + 1)];
  };
  return {
    'dashboard.js': [OWN_ASSETS, 'dashboard.js'],
    'dashboard.css': [OWN_ASSETS, 'dashboard.css'],
    'htmx.min.js': vendor('htmx.org/dist/htmx.min.js'),
    'uPlot.iife.min.js': vendor('uplot/dist/uPlot.iife.min.js'),
    'uPlot.min.css': vendor('uplot/dist/uPlot.min.css'),
  };
}

/** The page a browser gets for `path`, an asset not in the table, or undefined to answer the JSON 404. */
export type MissingAssetPage = (
  req: FastifyRequest,
  reply: FastifyReply,
  path: string,
) => FastifyReply | undefined;

/** Registers `GET /assets/:name` (public: the sign-in page needs them). */
export async function registerAssets(scope: FastifyInstance, missingPage: MissingAssetPage): Promise<void> {
  await scope.register(fastifyStatic, { serve: false, root: OWN_ASSETS });
  const assets = assetTable();
  scope.get<{ Params: { name: string } }>('/assets/:name', route('public', 'warn'), async (req, reply) => {
    const entry = Object.hasOwn(assets, req.params.name) ? assets[req.params.name] : undefined;
    if (!entry) {
      // The envelope of every other unknown path (the 404 handler would answer 405 here: the
      // route exists for GET).
      const path = requestPath(req.url);
      const page = missingPage(req, reply, path);
      if (page !== undefined) return page;
      const message = `Route ${req.method} ${echo(path, null)} not found`;
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message } });
    }
    // @fastify/static writes its own Cache-Control (max-age=0 by default, over any set before):
    // the 5 minutes the assets may be cached are given to it.
    return reply.sendFile(entry[1], entry[0], { maxAge: ASSET_MAX_AGE_MS });
  });
}
