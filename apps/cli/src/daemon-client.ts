import { ApiError, ApiUnreachableError, baseUrl, createApiClient, type ApiClient, type ApiClientOptions } from '@gov/api';
import { readToken, stateFiles } from '@gov/api/node';
import type { GovConfig } from '@gov/policies';
import { httpFetch } from './http-fetch.js';

/** How long `gov` waits for govd before it reads or writes the files itself. */
export const DAEMON_TIMEOUT_MS = 2000;

/** What the commands that talk to govd take besides the CLI's io: injectable for tests. */
export interface DaemonClientOptions {
  fetch?: ApiClientOptions['fetch'];
  now?: () => Date;
}

/** The govd a config names, reached through the typed client of `@gov/api`. */
export interface Govd {
  url: string;
  /**
   * Runs one call; `null` when govd does not answer (not running). A 401 while the token file
   * cannot be read says how to fix it; any other error answer rejects with `ApiError`.
   */
  ask<T>(call: (client: ApiClient) => Promise<T>): Promise<T | null>;
}

/** The govd that `config` names (`daemon.listen`), with the token from its state directory when it can be read. */
export async function connectGovd(config: GovConfig, stateDir: string, options: DaemonClientOptions = {}): Promise<Govd> {
  const url = baseUrl(config.daemon.listen);
  const { token, problem } = await readToken(stateDir);
  const client = createApiClient({ baseUrl: url, token, timeoutMs: DAEMON_TIMEOUT_MS, fetch: options.fetch ?? httpFetch });
  return {
    url,
    async ask(call) {
      try {
        return await call(client);
      } catch (error) {
        if (error instanceof ApiUnreachableError) return null;
        if (error instanceof ApiError && error.status === 401 && problem) {
          throw Object.assign(new Error(`govd at ${url} needs its API token, and ${stateFiles(stateDir).token} cannot be read (${problem}); run gov as the user govd runs as (e.g. with sudo)`), { code: 'GOV_CLI_TOKEN' });
        }
        throw error;
      }
    },
  };
}
