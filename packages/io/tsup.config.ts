import { defineLibraryConfig } from '../../tools/tsup-library.js';

export default defineLibraryConfig({ index: 'src/index.ts', portable: 'src/portable.ts' });
