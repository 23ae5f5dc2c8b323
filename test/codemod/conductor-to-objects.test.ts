import { defineFixtureTests } from '../../src/codemod/testing.js';

const dir = 'fixtures/codemods/conductor-to-objects';

// The fixture tree has an Icehouse-like nova/objects (no objects namespace): module aliases by default.
defineFixtureTests({ codemod: 'conductor-to-objects', dir, project: { root: `${dir}/tree` } });
