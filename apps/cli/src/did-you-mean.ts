import { suggestName } from '@gov/policies';
import type { Typo } from './errors.js';

/** The message with a did-you-mean when the typo is close to a known name (the config's own rule). */
export function withSuggestion(message: string, typo: Typo): string {
  const suggestion = suggestName(typo.given, typo.known);
  if (suggestion === null) return message;
  return `${message}; did you mean ${typo.quoted ? `"${suggestion}"` : suggestion}?`;
}
