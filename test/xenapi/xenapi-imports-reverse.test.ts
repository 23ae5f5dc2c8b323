import { defineFixtureTests } from '../../src/codemod/testing.js';

defineFixtureTests({ codemod: 'xenapi-imports-reverse', dir: 'fixtures/codemods/xenapi-imports-reverse' });
