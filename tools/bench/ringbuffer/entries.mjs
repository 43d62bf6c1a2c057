// The data every library in the benchmark gets, generated the same way in every process.

const MIB = 1024 * 1024;
/** The memory-enforcement design's limits; the byte budget every peer keeps is the soft one. */
export const SEED_LIMITS = { softBytes: 20 * MIB, hardBytes: 50 * MIB, criticalBytes: 100 * MIB };

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

const ASCII_WORDS = ['request', 'response', 'status', 'ok', 'error', 'session', 'click', 'scroll', 'render', 'value', 'cache', 'retry', 'user', 'id'];
const NON_ASCII_WORDS = ['héllo', 'wörld', 'café', 'naïve', '€12', '日本語', 'テスト', 'данные', 'Ωmega', '✓', '😀'];
const TYPES = ['console', 'network', 'websocket', 'action', 'error'];

/**
 * `count` distinct JSON strings whose UTF-8 length is uniform between `minBytes` and `maxBytes`
 * (200 B – 4 KiB by default), a share of them (10%) with non-ASCII text: what a capture server or
 * a log buffer holds. Each is a flat string of its own, as a parsed request body would be.
 */
export function createJsonEntries(count, { seed = 42, minBytes = 200, maxBytes = 4096, nonAsciiShare = 0.1 } = {}) {
  const random = createRandom(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const entries = new Array(count);
  for (let i = 0; i < count; i += 1) {
    const targetBytes = minBytes + Math.floor(random() * (maxBytes - minBytes + 1));
    const nonAscii = random() < nonAsciiShare;
    const record = { id: i, ts: 1_700_000_000_000 + i * 17, type: pick(TYPES), user: `user-${Math.floor(random() * 1000)}`, message: '' };
    const budget = targetBytes - Buffer.byteLength(JSON.stringify(record));
    const words = [];
    let bytes = 0;
    while (bytes < budget) {
      const word = nonAscii && random() < 0.3 ? pick(NON_ASCII_WORDS) : pick(ASCII_WORDS);
      words.push(word);
      bytes += Buffer.byteLength(word) + 1;
    }
    let message = words.join(' ');
    while (message.length > 0 && Buffer.byteLength(JSON.stringify({ ...record, message })) > targetBytes) message = message.slice(0, -1);
    record.message = message;
    // JSON.stringify builds long results out of pieces; a round trip through JSON.parse leaves one
    // flat string, as a body decoded from the bytes that arrived would be.
    entries[i] = JSON.parse(JSON.stringify(JSON.stringify(record)));
  }
  return entries;
}

/** Each entry's size read from the entry itself: what the structures cost with no counting at all. */
export function withSizes(texts) {
  return texts.map((text) => ({ text, size: Buffer.byteLength(text) }));
}

/** The one size function of the older scenarios (S2, S4, S5): data's UTF-8 length + 200. */
export function sizeOf(entry) {
  return Buffer.byteLength(entry.data) + 200;
}

const WORDS = ['"type"', '"value"', '"id"', '"ok"', 'true', 'false', 'null', '"ts"', '"payload"', '"é"', '"user"', '"€"'];

/**
 * `count` distinct WebSocket-like messages with JSON-ish data, lengths log-uniform between
 * `minLength` and `maxLength` characters, for the eviction, status and retention scenarios.
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
    entries[i] = { ts: 1_700_000_000_000 + i, type: 'message', direction: i % 2 === 0 ? 'incoming' : 'outgoing', data };
  }
  return entries;
}
