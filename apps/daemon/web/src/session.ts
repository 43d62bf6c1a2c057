import { ApiError, ApiUnreachableError, createApiClient, type ApiClient } from '@gov/api';

/**
 * The API token lives in this tab's sessionStorage: asked for once, kept across reloads of the
 * tab, gone when the tab closes, never in a URL. It is sent only by the client below, whose
 * requests are relative — to the origin that served this page.
 */
const TOKEN_KEY = 'gov.token';

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  try {
    if (token === null) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Storage refused (a private window's quota): the token stays for this page's life only.
  }
}

/** The client of govd's API at the page's own origin, with the token when there is one. */
export function apiClient(token: string | null): ApiClient {
  return createApiClient({ baseUrl: '', token, timeoutMs: 15_000 });
}

/** A sentence for a failed request: what went wrong and what to do. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'govd refused the API token (401). Paste the token from the file "token" in govd\'s state directory.';
    return error.message.replace(/^govd answered \d+: /, '');
  }
  if (error instanceof ApiUnreachableError) return 'govd does not answer. Is it still running?';
  return error instanceof Error ? error.message : String(error);
}
