import { defineLibraryConfig } from '../../tools/tsup-library.js';

export default defineLibraryConfig();
