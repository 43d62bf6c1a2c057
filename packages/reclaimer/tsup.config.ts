import { defineLibraryConfig } from '../../tools/tsup-library.js';

export default defineLibraryConfig({ index: 'src/index.ts', catalogue: 'src/catalogue.ts' });
