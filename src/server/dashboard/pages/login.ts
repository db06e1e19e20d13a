/**
 * Sign-in (`/login`): a form for the API token. The token is posted once, checked in constant
 * time, and exchanged for a session cookie; it is never stored in the browser.
 * @module
 */
import { html, type SafeHtml } from '../html.js';
import { barePage } from '../layout.js';

/**
 * Where to go after signing in: a local path only (`/executions?status=failed`), never
 * another origin (`//evil.example`, `/\evil.example`, `https://...`); else `/`. Spaces and
 * non-ASCII characters come back percent-encoded (`/workflows/注文` → `/workflows/%E6%B3%A8%E6%96%87`):
 * a `Location` header cannot carry them as they are.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2000) return '/';
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next.includes('\\') || [...next].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f')) return '/';
  try {
    return next.replace(/[^\x21-\x7e]+/g, encodeURIComponent);
  } catch {
    return '/'; // a lone surrogate, which no URL can carry
  }
}

/**
 * The sign-in page. An `error` is announced and describes the token field; `tokenRefused` (the
 * token sent was wrong, not merely refused for too many tries) marks the field invalid, too.
 */
export function loginPage(options: { next: string; error?: string; tokenRefused?: boolean }): SafeHtml {
  return barePage(
    'Sign in',
    html`<section class="login">
  <h1><span class="logo" aria-hidden="true">◆</span> orchestrator</h1>
  <p class="muted">Sign in with the API token (<code>ORCHESTRATOR_API_TOKEN</code>, or the one <code>orchestrator serve</code> printed).</p>
  ${options.error ? html`<p class="notice notice-warn" role="alert" id="login-error">${options.error}</p>` : ''}
  <form method="post" action="/login">
    <input type="hidden" name="next" value="${options.next}">
    <label for="token">API token</label>
    <input id="token" name="token" type="password" autocomplete="off" required autofocus spellcheck="false"${
      options.tokenRefused ? html` aria-invalid="true"` : ''
    }${options.error ? html` aria-describedby="login-error"` : ''}>
    <button type="submit" id="sign-in">Sign in</button>
  </form>
</section>`,
  );
}
