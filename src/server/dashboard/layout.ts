/**
 * The page shell (head, a skip link to the content, navigation, sign-out form) and small shared components: status
 * badges, stat cards, the HTML error page. Scripts and styles are same-origin files only; the
 * htmx config in the `<meta>` tag turns off everything that would need `unsafe-inline` or
 * `unsafe-eval`.
 * @module
 */
import { echo } from '../../echo.js';
import { html, type SafeHtml } from './html.js';

/** The asset URLs pages use. */
export const ASSET = {
  css: '/assets/dashboard.css',
  js: '/assets/dashboard.js',
  htmx: '/assets/htmx.min.js',
  uplot: '/assets/uPlot.iife.min.js',
  uplotCss: '/assets/uPlot.min.css',
} as const;

/**
 * htmx options: no inline indicator `<style>` (CSP), no `eval`, no scripts in swapped content,
 * requests to this origin only, and no page snapshots in localStorage. No settle delay: what a
 * refresh swaps in is made live (its `hx-*` read) in the same task, not 20 ms on, in which a click
 * on a refreshed cancel button submitted the bare form (the no-JavaScript confirmation page). The
 * dashboard animates no swap, which is what the delay is for.
 */
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  selfRequestsOnly: true,
  historyCacheSize: 0,
  refreshOnHistoryMiss: true,
  defaultSwapStyle: 'outerHTML',
  defaultSettleDelay: 0,
});

/** Sections of the navigation. */
export type Section = 'overview' | 'workflows' | 'executions' | 'workers';

const NAV: readonly [Section, string, string][] = [
  ['overview', '/', 'Overview'],
  ['workflows', '/workflows', 'Workflows'],
  ['executions', '/executions', 'Executions'],
  ['workers', '/workers', 'Workers'],
];

/** What every signed-in page needs. */
export interface PageOptions {
  title: string;
  section?: Section;
  /** The session's CSRF token (sent by htmx on every request, and by the sign-out form). */
  csrf: string;
  /** Load uPlot (overview charts). */
  charts?: boolean;
  body: SafeHtml;
}

function head(title: string, charts: boolean): SafeHtml {
  return html`<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<title>${title} · Orchestrator</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSET.css}">
${charts ? html`<link rel="stylesheet" href="${ASSET.uplotCss}">` : ''}
<script src="${ASSET.htmx}" defer></script>
${charts ? html`<script src="${ASSET.uplot}" defer></script>` : ''}
<script src="${ASSET.js}" defer></script>`;
}

/** A full signed-in page. */
export function page(options: PageOptions): SafeHtml {
  const nav = NAV.map(
    ([section, href, label]) =>
      html`<a href="${href}"${section === options.section ? html` aria-current="page"` : ''}>${label}</a>`,
  );
  return html`<!doctype html>
<html lang="en">
<head>
${head(options.title, options.charts === true)}
</head>
<body hx-headers="${JSON.stringify({ 'x-csrf-token': options.csrf })}">
<a class="skip-link" href="#main">Skip to content</a>
<header class="topbar">
  <a class="brand" href="/"><span class="logo" aria-hidden="true">◆</span> orchestrator</a>
  <nav aria-label="Sections">${nav}</nav>
  <form class="signout" method="post" action="/logout">
    <input type="hidden" name="_csrf" value="${options.csrf}">
    <button type="submit" class="link">Sign out</button>
  </form>
</header>
<main id="main" tabindex="-1">
${options.body}
</main>
</body>
</html>`;
}

/** A page outside the session (sign-in, errors before sign-in). */
export function barePage(title: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
${head(title, false)}
</head>
<body class="bare">
<main>
${body}
</main>
</body>
</html>`;
}

/** A status badge (`completed`, `failed`, ...). */
export function badge(status: string): SafeHtml {
  return html`<span class="badge badge-${status.replace(/[^a-z-]/g, '')}">${status}</span>`;
}

/** `v2`, a link to the definition of the version the execution ran (not the newest one). */
export function versionLink(x: { workflowId: string; workflowVersion: number }): SafeHtml {
  return html`<a class="muted version-link" href="/workflows/${encodeURIComponent(x.workflowId)}?version=${x.workflowVersion}">v${x.workflowVersion}</a>`;
}

/** A stat card. */
export function stat(
  label: string,
  value: string,
  options: { hint?: string; tone?: string; id?: string; title?: string } = {},
): SafeHtml {
  return html`<div class="stat${options.tone ? ` tone-${options.tone}` : ''}"${options.id ? html` data-stat="${options.id}"` : ''}>
  <div class="stat-label">${label}</div>
  <div class="stat-value"${options.title ? html` title="${options.title}"` : ''}>${value}</div>
  ${options.hint ? html`<div class="stat-hint">${options.hint}</div>` : ''}
</div>`;
}

function errorTitle(status: number): string {
  if (status === 401) return 'Sign in required';
  if (status === 403) return 'Forbidden';
  if (status === 404) return 'Not found';
  if (status === 405) return 'Method not allowed';
  if (status === 501) return 'Not supported';
  if (status === 503) return 'Shutting down';
  return status >= 500 ? 'Something went wrong' : 'Bad request';
}

/**
 * `Did you mean <a href="/workflows">/workflows</a>?`: a link to a page of this origin (each
 * segment percent-encoded, so a `?` or `#` of the path stays in it); none for another origin.
 */
function didYouMean(path: string | undefined, query: string): SafeHtml | string {
  if (path === undefined || !path.startsWith('/') || path.startsWith('//')) return '';
  const href = path.split('/').map(encodeURIComponent).join('/') + query;
  return html` Did you mean <a href="${href}">${echo(path, null)}</a>?`;
}

/**
 * The body of an error page; `pageAt`, a page this one may have meant, is named as a link, which
 * keeps `query` (the request's `?…`, as sent: `/workflows/?status=failed` links to
 * `/workflows?status=failed`).
 */
export function errorBody(status: number, message: string, pageAt?: string, query = ''): SafeHtml {
  return html`<section class="error-page">
  <h1>${errorTitle(status)}</h1>
  <p class="error-message">${message}${didYouMean(pageAt, query)}</p>
  <p><a href="/">Back to the overview</a></p>
</section>`;
}
