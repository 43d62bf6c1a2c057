// `prepack` of every published package: puts the repository's LICENSE beside its package.json,
// where npm picks it up, so each tarball carries the license text its `license` field names.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';

copyFileSync(new URL('../LICENSE', import.meta.url), join(process.cwd(), 'LICENSE'));
