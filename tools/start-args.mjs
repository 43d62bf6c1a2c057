// What `npm start` runs govd with (tools/start.mjs): without a config file nobody has said what
// govd may do on this machine, so it runs as a dry run — it decides and records, and changes
// nothing. Writing a config (`npx gov config init`) is how a user says it may act.

const NOTE = [
  'npm start: govd has no config on this machine, so it runs as a dry run: it decides and records, and changes nothing.',
  '           To let it act, write a config (npx gov config init), read it (npx gov config show), then npm start again.',
  '',
].join('\n');

/**
 * govd's flags for `npm start -- ARGS`, and the note to print (or `null`).
 * @param {string[]} args what followed `npm start --`
 * @param {boolean} configFound whether a config file exists where govd looks ($GOV_CONFIG, ~/.config/gov, /etc/gov)
 * @returns {{ args: string[]; note: string | null }}
 */
export function startArgs(args, configFound) {
  const named = args.some((arg) => arg === '--config' || arg.startsWith('--config='));
  const answersOnly = args.some((arg) => ['--help', '-h', '--version'].includes(arg));
  if (configFound || named || answersOnly || args.includes('--dry-run')) return { args, note: null };
  return { args: [...args, '--dry-run'], note: NOTE };
}
