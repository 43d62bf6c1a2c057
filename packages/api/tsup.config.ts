import { defineLibraryConfig } from '../../tools/tsup-library.js';

export default defineLibraryConfig({ index: 'src/index.ts', 'node/index': 'src/node/index.ts' });
