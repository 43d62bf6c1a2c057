import { defineLibraryConfig } from '../../tools/tsup-library.js';

export default defineLibraryConfig({ index: 'src/index.ts', 'http/index': 'src/http/index.ts' });
