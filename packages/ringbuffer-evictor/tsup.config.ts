import { defineLibraryConfig } from '../../tools/tsup-library.js';

export default defineLibraryConfig({ index: 'src/index.ts', 'gasoline/index': 'src/gasoline/index.ts', 'http/index': 'src/http/index.ts' });
