import { defineFixtureTests } from '../../src/codemod/testing.js';

defineFixtureTests({ codemod: 'objects-import-style', dir: 'fixtures/codemods/objects-import-style' });
