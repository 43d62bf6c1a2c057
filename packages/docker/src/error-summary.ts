import { DockerError } from './errors.js';

/** An error as a container's entry reports it: its code (an engine error without one is `GOV_DOCKER_API`) and message. */
export function errorSummary(error: unknown): { code: string; message: string } {
  const coded = error as { code?: unknown; message?: unknown };
  return { code: typeof coded.code === 'string' ? coded.code : 'GOV_DOCKER_API', message: typeof coded.message === 'string' ? coded.message : String(error) };
}

/** No engine answers: the whole run fails, where one container's failure is only reported. */
export function isEngineGone(error: unknown): error is DockerError {
  return error instanceof DockerError && error.code === 'GOV_DOCKER_UNAVAILABLE';
}
