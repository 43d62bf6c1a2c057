import { request } from 'node:http';

/** The part of a fetch answer `@gov/api`'s client reads. */
type Answer = Pick<Response, 'ok' | 'status' | 'text'>;

/**
 * `fetch` for govd's API on loopback, on `node:http`: the global `fetch` loads undici, which
 * costs a one-shot `gov` command more CPU (about 25 ms) than the whole request. Plain HTTP only,
 * a string body, the answer read whole; a failed connection rejects with Node's error
 * (`ECONNREFUSED`, …) and an aborted signal with its reason.
 */
export function httpFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const { signal } = init;
    if (signal?.aborted) return reject(signal.reason);
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers as Record<string, string> | undefined, agent: false });
    const onAbort = () => {
      req.destroy();
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        signal?.removeEventListener('abort', onAbort);
        const status = res.statusCode ?? 0;
        const body = Buffer.concat(chunks).toString('utf8');
        const answer: Answer = { ok: status >= 200 && status < 300, status, text: async () => body };
        resolve(answer as Response);
      });
    });
    req.end(typeof init.body === 'string' ? init.body : undefined);
  });
}
