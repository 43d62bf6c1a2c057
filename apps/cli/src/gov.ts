import { createInterface } from 'node:readline/promises';
import { runMain } from './main.js';

const controller = new AbortController();
const stop = () => {
  // A second Ctrl-C exits at once.
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

const isInteractive = Boolean(process.stdin.isTTY && process.stdout.isTTY);

const exitCode = await runMain(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
  isInteractive,
  async confirm(question) {
    if (!isInteractive) return false;
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      const answer = await rl.question(`${question} [y/N] `);
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      rl.close();
    }
  },
});
process.exitCode = exitCode;
