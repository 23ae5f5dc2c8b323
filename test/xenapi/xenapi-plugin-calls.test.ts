import { defineFixtureTests } from '../../src/codemod/testing.js';

defineFixtureTests({ codemod: 'xenapi-plugin-calls', dir: 'fixtures/codemods/xenapi-plugin-calls' });
