const NON_ASCII = /[\u0080-\uffff]/;

/**
 * Bytes the string takes as UTF-8, without encoding it (no allocation, no `TextEncoder`). A lone
 * surrogate counts 3 bytes, as the encoder writes U+FFFD for it.
 */
export function utf8Length(text: string): number {
  const length = text.length;
  // The regex engine scans long ASCII text several times faster than a charCodeAt loop.
  if (length >= 32 && !NON_ASCII.test(text)) return length;
  let bytes = length;
  for (let i = 0; i < length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) {
      bytes += 1;
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        // A surrogate pair: 2 UTF-16 units, 4 bytes.
        bytes += 2;
        i += 1;
      } else {
        bytes += 2;
      }
    } else {
      bytes += 2;
    }
  }
  return bytes;
}
