// The entries and the size function every library in the benchmark uses: WebSocket-like
// messages whose size is the UTF-8 length of `data` plus 200 bytes of per-entry overhead.

/** mulberry32: a small seeded PRNG, so every process sees the same entries. */
export function createRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NON_ASCII = /[\u0080-\uffff]/;
const encoder = new TextEncoder();
const scratch = new Uint8Array(48 * 1024);

function countUtf8(text) {
  const length = text.length;
  let bytes = length;
  for (let i = 0; i < length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2;
        i += 1;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}

/** UTF-8 length without allocating (the same algorithm as the store's utf8Length). */
export function utf8Length(text) {
  const length = text.length;
  if (length < 64) return countUtf8(text);
  if (!NON_ASCII.test(text)) return length;
  let bytes = 0;
  let read = 0;
  while (read < length) {
    const result = encoder.encodeInto(read === 0 ? text : text.slice(read), scratch);
    bytes += result.written;
    read += result.read;
  }
  return bytes;
}

/** The one size function: data's UTF-8 length + 200. */
export function sizeOf(entry) {
  return utf8Length(entry.data) + 200;
}

/** The same size, precomputed on the entry: isolates what the structure itself costs. */
export function sizeField(entry) {
  return entry.size;
}

const WORDS = ['"type"', '"value"', '"id"', '"ok"', 'true', 'false', 'null', '"ts"', '"payload"', '"é"', '"user"', '"€"'];

/**
 * `count` distinct messages with JSON-ish data, lengths log-uniform between `minLength` and
 * `maxLength` characters (about one in six messages contains a non-ASCII character).
 */
export function createEntries(count, { seed = 42, minLength = 16, maxLength = 2048 } = {}) {
  const random = createRandom(seed);
  const entries = new Array(count);
  for (let i = 0; i < count; i += 1) {
    const length = Math.round(Math.exp(Math.log(minLength) + random() * (Math.log(maxLength) - Math.log(minLength))));
    let data = `{"seq":${i},"body":[`;
    while (data.length < length) data += WORDS[Math.floor(random() * WORDS.length)] + ',';
    // A JSON round trip leaves a flat string, as a parsed message would be.
    data = JSON.parse(JSON.stringify(data.slice(0, length)));
    const entry = { ts: 1_700_000_000_000 + i, type: 'message', direction: i % 2 === 0 ? 'incoming' : 'outgoing', data, size: 0 };
    entry.size = sizeOf(entry);
    entries[i] = entry;
  }
  return entries;
}
