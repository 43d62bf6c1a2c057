import { FEEDBACK_NOTE_MAX_CHARS, type FeedbackResponse } from '@gov/api';
import { createHistoryFile, historyMaxBytes, stateFiles } from '@gov/api/node';
import type { HistoryRecord } from '@gov/policies';
import { parseCommandArgs } from '../args.js';
import { loadCliConfig, stateDirOf } from '../config-file.js';
import { connectGovd, type DaemonClientOptions } from '../daemon-client.js';
import { UsageError } from '../errors.js';
import { formatJson } from '../format.js';
import type { CliIo, Command } from '../io.js';
import { feedbackSpec } from './specs.js';


/**
 * `gov feedback slow|ok`: tells govd how the machine felt after its recent actions, which the
 * advisor learns from. When govd is not running the feedback is appended to the history file,
 * through the same history file code govd uses (rotation, torn-line repair, fsync).
 */
export function createFeedbackCommand(options: DaemonClientOptions = {}): Command {
  const now = options.now ?? (() => new Date());
  return {
    spec: feedbackSpec,
    async run({ argv, io }: { argv: string[]; io: CliIo }) {
      const { values, positionals } = parseCommandArgs(argv, feedbackSpec, ['feedback']);
      const [kind, ...extra] = positionals;
      if (kind === undefined) throw new UsageError('say how it went: slow or ok');
      if (kind !== 'slow' && kind !== 'ok') throw new UsageError(`"${kind}" is not slow or ok`, undefined, { given: kind, known: feedbackSpec.operandChoices, quoted: true });
      if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"; put a note in --note "…"`);
      const note = values.note?.trim() || null;
      if (note !== null && note.length > FEEDBACK_NOTE_MAX_CHARS) throw new UsageError(`--note is ${note.length} characters; at most ${FEEDBACK_NOTE_MAX_CHARS}`);

      const { config } = await loadCliConfig(io, values.config);
      const stateDir = stateDirOf(config, io);
      const govd = await connectGovd(config, stateDir, options);
      const { url } = govd;
      const answer = await govd.ask((client) => client.feedback({ kind, note }));
      let result: { delivered: 'govd'; url: string; record: FeedbackResponse['recorded'] } | { delivered: 'file'; path: string; record: HistoryRecord };
      if (answer !== null) {
        result = { delivered: 'govd', url, record: { kind: 'feedback', feedback: kind, note } };
      } else {
        const record: HistoryRecord = { kind: 'feedback', at: now().toISOString(), feedback: kind, note };
        const path = stateFiles(stateDir).history;
        const history = createHistoryFile({ path, maxBytes: historyMaxBytes(config) });
        try {
          await history.append(record);
        } finally {
          await history.close();
        }
        result = { delivered: 'file', path, record };
      }
      if (values.json) {
        io.stdout.write(formatJson(result));
      } else if (result.delivered === 'govd') {
        io.stdout.write(`Feedback "${kind}" sent to govd at ${url}; the advisor weighs it against the actions just before now.\n`);
      } else {
        io.stdout.write(`govd is not running: feedback "${kind}" recorded in ${result.path}. The advisor learns only from feedback given while govd runs.\n`);
      }
      return 0;
    },
  };
}

export const feedbackCommand = createFeedbackCommand();
