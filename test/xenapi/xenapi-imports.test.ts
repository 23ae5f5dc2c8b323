import { defineFixtureTests } from '../../src/codemod/testing.js';

defineFixtureTests({ codemod: 'xenapi-imports', dir: 'fixtures/codemods/xenapi-imports' });
