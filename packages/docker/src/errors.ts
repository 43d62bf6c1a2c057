export type DockerErrorCode =
  /** No engine answers: socket missing or refused, connection dropped, or no reply in time. */
  | 'GOV_DOCKER_UNAVAILABLE'
  /** No container has that name or id. */
  | 'GOV_DOCKER_NOT_FOUND'
  /** The engine refused the request (e.g. pausing a container that is not running). */
  | 'GOV_DOCKER_API'
  /** A pause someone asked for is refused by a guard: the `gov.pause=never` label, `deny` or `allow`. */
  | 'GOV_DOCKER_GUARDED'
  /** A container that is not running (paused, stopped) cannot be paused. */
  | 'GOV_DOCKER_NOT_RUNNING'
  /** The state file of paused containers cannot be read or written. */
  | 'GOV_DOCKER_STATE'
  /** An option that cannot work, such as a DOCKER_HOST that is not a URL. */
  | 'GOV_DOCKER_INVALID_OPTION';

/** Every failure of `@gov/docker`; `cause` keeps the engine's or the file system's own error. */
export class DockerError extends Error {
  override readonly name = 'DockerError';
  readonly code: DockerErrorCode;
  /** HTTP status of the engine's answer, where there was one. */
  readonly statusCode: number | null;
  readonly timedOut: boolean;
  /** For `GOV_DOCKER_GUARDED`: the guard that refused. */
  readonly guard: 'label' | 'deny' | 'allow' | null;

  constructor(message: string, details: { code: DockerErrorCode; statusCode?: number | null; timedOut?: boolean; guard?: 'label' | 'deny' | 'allow'; cause?: unknown }) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.statusCode = details.statusCode ?? null;
    this.timedOut = details.timedOut ?? false;
    this.guard = details.guard ?? null;
  }
}

/** The engine (or a cgroup file read on its behalf) did not answer by its deadline. */
export function noAnswer(what: string, timeoutMs: number): DockerError {
  return new DockerError(`${what}: no answer within ${timeoutMs} ms`, { code: 'GOV_DOCKER_UNAVAILABLE', timedOut: true });
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'EPERM', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENOTSOCK']);

/** Turns an error from dockerode into a `DockerError` with a code a caller can act on. */
export function toDockerError(error: unknown, what: string): DockerError {
  if (error instanceof DockerError) return error;
  const raw = error as { code?: unknown; statusCode?: unknown; message?: unknown; json?: { message?: unknown } } | null;
  const statusCode = typeof raw?.statusCode === 'number' ? raw.statusCode : null;
  if (statusCode === 404) {
    return new DockerError(`${what}: ${engineMessage(raw) ?? 'no such container'}`, { code: 'GOV_DOCKER_NOT_FOUND', statusCode, cause: error });
  }
  if (statusCode !== null) {
    return new DockerError(`${what}: ${engineMessage(raw) ?? `HTTP ${statusCode}`}`, { code: 'GOV_DOCKER_API', statusCode, cause: error });
  }
  const code = typeof raw?.code === 'string' ? raw.code : null;
  const message = typeof raw?.message === 'string' ? raw.message : String(error);
  if ((code !== null && CONNECTION_CODES.has(code)) || /socket hang up|connect|timeout/i.test(message)) {
    return new DockerError(`${what}: the Docker engine is unavailable (${code ?? message})`, { code: 'GOV_DOCKER_UNAVAILABLE', cause: error });
  }
  return new DockerError(`${what}: ${message}`, { code: 'GOV_DOCKER_API', cause: error });
}

function engineMessage(raw: { json?: { message?: unknown } } | null): string | null {
  const message = raw?.json?.message;
  return typeof message === 'string' && message !== '' ? message : null;
}
