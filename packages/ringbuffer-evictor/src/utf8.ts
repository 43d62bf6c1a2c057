/** Node's `Buffer` as far as counting goes. */
interface ByteLengthHost {
  byteLength(text: string): number;
}

/**
 * Node's (and Bun's and Deno's) `Buffer`, found at run time so the package imports nothing from
 * Node. A bundler's `Buffer` polyfill in a browser does not count: it builds a byte array per
 * call, slower than the portable count below.
 */
function findNativeBuffer(): ByteLengthHost | null {
  const host = globalThis as { Buffer?: Partial<ByteLengthHost>; process?: { versions?: { node?: unknown } } };
  const buffer = host.Buffer;
  if (typeof buffer?.byteLength !== 'function' || typeof host.process?.versions?.node !== 'string') return null;
  return buffer as ByteLengthHost;
}

const nativeBuffer = findNativeBuffer();
/** Scratch size for `encodeInto`: 48 KiB, reused by every call. */
const SCRATCH_BYTES = 48 * 1024;
/** Below this many UTF-16 units, counting in JavaScript beats a call into the encoder. */
const SHORT_TEXT = 64;
const encoder = typeof TextEncoder === 'function' ? new TextEncoder() : null;
let scratch: Uint8Array | null = null;

/** Counts in JavaScript: fastest for short strings, and the fallback where there is no TextEncoder. */
function countUtf8(text: string): number {
  const length = text.length;
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

/**
 * The count without Node: short text in JavaScript, longer text encoded in chunks into a reused
 * scratch buffer (native code, several times faster than counting in JavaScript, and faster
 * than first scanning for non-ASCII characters). Nothing is allocated per call.
 */
export function portableUtf8Length(text: string): number {
  const length = text.length;
  if (length < SHORT_TEXT || encoder === null) return countUtf8(text);
  scratch ??= new Uint8Array(SCRATCH_BYTES);
  let bytes = 0;
  let read = 0;
  while (read < length) {
    // The scratch bounds each call; encodeInto stops before a character that does not fit, so a
    // surrogate pair is never split, and slicing the rest of a flat string copies nothing.
    const result = encoder.encodeInto(read === 0 ? text : text.slice(read), scratch);
    bytes += result.written;
    read += result.read;
  }
  return bytes;
}

/**
 * Bytes the string takes as UTF-8, exactly; a lone surrogate counts 3 bytes, as encoders write
 * U+FFFD for it. Uses the fastest exact count the host has: `Buffer.byteLength` in Node (native,
 * no allocation), {@link portableUtf8Length} in browsers.
 */
export function utf8Length(text: string): number {
  return nativeBuffer === null ? portableUtf8Length(text) : nativeBuffer.byteLength(text);
}
