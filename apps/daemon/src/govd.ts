import { homedir } from 'node:os';
import { ConfigFileError, loadConfig } from '@gov/api/node';
import { ConfigError, type LogFormat } from '@gov/policies';
import { pino, type Logger } from 'pino';
import { HELP, parseEnvironmentOverride, parseGovdArgs, USAGE } from './cli-args.js';
import { startDaemon, type Daemon } from './daemon.js';
import { DaemonUsageError } from './errors.js';
import { chooseLogFormat, createPrettyDestination } from './log-format.js';
import { version } from './version.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const requestedLevel = process.env['GOV_LOG_LEVEL'];
const isTTY = process.stdout.isTTY === true;
const colour = isTTY && !process.env['NO_COLOR'] && process.env['TERM'] !== 'dumb';

/** The logger in the format asked for: the flag, else the config; `auto` is pretty on a terminal. */
function createLogger(flag: LogFormat | null, config: LogFormat): Logger {
  // Synchronous writes: every line is out before the process exits on a signal.
  const stdout = pino.destination({ dest: 1, sync: true });
  const options = { name: 'govd', level: requestedLevel && LOG_LEVELS.includes(requestedLevel) ? requestedLevel : 'info', timestamp: pino.stdTimeFunctions.isoTime, base: { pid: process.pid } };
  if (chooseLogFormat(flag, config, isTTY) === 'json') return pino(options, stdout);
  return pino(options, createPrettyDestination((text) => stdout.write(text), colour));
}

let logger = createLogger(null, 'auto');

async function main(): Promise<number> {
  let args;
  let environment;
  try {
    args = parseGovdArgs(process.argv.slice(2));
    environment = parseEnvironmentOverride(process.env['GOV_ENVIRONMENT']);
  } catch (error) {
    if (!(error instanceof DaemonUsageError)) throw error;
    process.stderr.write(`govd: ${error.message}\nusage: ${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  logger = createLogger(args.logFormat, 'auto');
  if (requestedLevel && !LOG_LEVELS.includes(requestedLevel)) logger.warn({ GOV_LOG_LEVEL: requestedLevel }, `GOV_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; logging at info`);

  const home = homedir();
  let loaded;
  try {
    loaded = await loadConfig({ flagPath: args.configPath, env: process.env, home });
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof ConfigFileError)) throw error;
    logger.fatal({ code: error.code, ...(error instanceof ConfigError ? { problems: error.problems } : { path: error.path }) }, 'invalid config; nothing started');
    process.stderr.write(`govd: ${error.message}\n`);
    return 2;
  }
  if (loaded.config.daemon.log_format !== 'auto') logger = createLogger(args.logFormat, loaded.config.daemon.log_format);

  // Signal handlers go in before anything starts: a SIGHUP or SIGTERM that arrives while
  // govd is starting must not fall back to the default action (terminate).
  let daemon: Daemon | null = null;
  let stopRequested: NodeJS.Signals | null = null;
  let reloadRequested = false;
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (!daemon) {
      stopRequested = signal;
      return;
    }
    if (stopping) {
      // A second signal while stopping: leave at once.
      logger.warn({ signal }, 'second signal while stopping; exiting now');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'stopping: finishing the running tick');
    daemon.stop().then(
      () => finish(0),
      (error: unknown) => {
        logger.error({ err: error }, `stop failed: ${(error as Error).message}`);
        finish(1);
      },
    );
  };
  const reload = () => {
    if (!daemon) {
      reloadRequested = true;
      return;
    }
    logger.info({ signal: 'SIGHUP' }, 'reloading the config');
    void daemon.reload();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', reload);

  try {
    daemon = await startDaemon({
      loaded,
      flagPath: args.configPath,
      dryRun: args.dryRun,
      env: process.env,
      home,
      logger,
      version,
      pid: process.pid,
      isRoot: process.getuid?.() === 0,
      ...(environment ? { environment } : {}),
    });
  } catch (error) {
    const err = error as Error & { code?: string };
    logger.fatal({ err, code: err.code }, `govd could not start: ${err.message}`);
    process.stderr.write(`govd: ${err.message}\n`);
    return err instanceof ConfigError ? 2 : 1;
  }
  if (stopRequested) stop(stopRequested);
  else if (reloadRequested) reload();
  // The Governor's timer is unref'd; the listening server keeps govd alive until a signal.
  return finished;
}

process.on('unhandledRejection', (reason) => {
  logger.error({ err: reason }, `unhandled rejection: ${(reason as Error)?.message ?? String(reason)}`);
});

main().then(
  (code) => {
    logger.flush();
    process.exit(code);
  },
  (error: unknown) => {
    logger.fatal({ err: error }, `govd failed: ${(error as Error).message}`);
    process.stderr.write(`govd: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
