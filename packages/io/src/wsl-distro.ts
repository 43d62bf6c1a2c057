// WSL's own rule for distribution names is ^[a-zA-Z0-9._-]+$ (stated by the WSL team in
// microsoft/WSL#3751; names with other characters, non-ASCII letters included, are refused by
// design, microsoft/WSL#14039). gov accepts exactly those names, except two it refuses on
// purpose: one starting with "-", which wsl.exe would read as an option, and one longer than 64
// characters, which no real distribution has and which would only bloat argv and messages.
const WSL_DISTRO_NAME = /^[A-Za-z0-9._][A-Za-z0-9._-]{0,63}$/;

/** The rule, in words, for error messages. */
export const WSL_DISTRO_NAME_RULE = '1–64 letters, digits, ".", "_" or "-", not starting with "-"';

/** Whether `value` is a WSL distribution name gov passes to `wsl.exe -d`. */
export function isWslDistroName(value: unknown): value is string {
  return typeof value === 'string' && WSL_DISTRO_NAME.test(value);
}

/** `null` for a good name; otherwise the sentence that says why it is refused and what is allowed. */
export function wslDistroNameProblem(value: unknown): string | null {
  if (isWslDistroName(value)) return null;
  const text = String(value);
  const shown = JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
  return `WSL distribution ${shown} is refused: a name is ${WSL_DISTRO_NAME_RULE}`;
}
