import { request, type ClientRequest, type IncomingMessage } from 'node:http';

/** The largest answer read from the engine: a listing of thousands of containers fits many times over. */
export const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/** An HTTP error answer of the engine, shaped as `toDockerError` reads dockerode's errors. */
export interface EngineHttpError extends Error {
  statusCode: number;
  json: { message?: unknown } | null;
}

function httpError(statusCode: number, body: string): EngineHttpError {
  let json: { message?: unknown } | null = null;
  try {
    json = JSON.parse(body) as { message?: unknown };
  } catch {
    // Not JSON: the status says enough.
  }
  return Object.assign(new Error(`HTTP ${statusCode}`), { statusCode, json });
}

/** Starts one request on the engine's unix socket; `path` is built by the caller from fixed parts and encoded ids. */
export function startSocketRequest(socketPath: string, method: 'GET' | 'POST', path: string): ClientRequest {
  // `agent: false`: one connection per request, closed after it, so nothing lingers between ticks.
  return request({ socketPath, method, path, agent: false, headers: { host: 'docker' } });
}

/**
 * One request, answered as parsed JSON (`null` for an empty answer such as 204). The signal
 * aborts it; an HTTP error status rejects with an `EngineHttpError`, a broken connection with
 * Node's own error (`ECONNREFUSED`, `ENOENT`, …); `toDockerError` turns each into a `DockerError`.
 */
export function socketRequest(socketPath: string, method: 'GET' | 'POST', path: string, signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = startSocketRequest(socketPath, method, path);
    let settled = false;
    const finish = (error: unknown, value?: unknown) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (error === null) resolve(value);
      else reject(error);
    };
    function onAbort() {
      const reason: unknown = signal.reason;
      finish(reason instanceof Error ? reason : new Error('aborted'));
      req.destroy();
    }
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => finish(error));
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let length = 0;
      res.on('data', (chunk: Buffer) => {
        length += chunk.length;
        if (length > MAX_ANSWER_BYTES) {
          finish(new Error(`the engine's answer is over ${MAX_ANSWER_BYTES} bytes`));
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (error) => finish(error));
      // A connection cut mid-answer ends with 'close' and no 'end'.
      res.on('close', () => {
        if (!res.complete) finish(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      });
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status >= 400) return finish(httpError(status, body));
        if (body === '') return finish(null, null);
        try {
          finish(null, JSON.parse(body));
        } catch (error) {
          finish(new Error('the engine answered with something that is not JSON', { cause: error }));
        }
      });
    });
    req.end();
  });
}
