import { ExecError, type Exec } from '@gov/io';
import { MeminfoSourceError } from '../errors.js';

/** Runs a helper program for a source; a start failure or non-zero exit becomes `GOV_MEMINFO_EXEC_FAILED`. */
export async function runHelper(exec: Exec, source: string, file: string, args: readonly string[], signal: AbortSignal): Promise<string> {
  let result;
  try {
    result = await exec(file, args, { signal });
  } catch (error) {
    if (signal.aborted) throw error;
    const reason = error instanceof ExecError && error.errno === 'ENOENT' ? `${file} is not on PATH` : (error as Error).message;
    throw new MeminfoSourceError(`cannot run ${file}: ${reason}`, { code: 'GOV_MEMINFO_EXEC_FAILED', source, cause: error });
  }
  if (result.exitCode !== 0) {
    const detail = (result.stderr.trim() || result.stdout.trim()).split(/\r?\n/)[0] ?? '';
    throw new MeminfoSourceError(`${file} exited with code ${result.exitCode}${detail ? `: ${detail}` : ''}`, {
      code: 'GOV_MEMINFO_EXEC_FAILED',
      source,
      exitCode: result.exitCode,
    });
  }
  return result.stdout;
}
