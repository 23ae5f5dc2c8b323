/** os-xenapi support: the rule tables, the API index (model, loader, generator) and module reading. */
export * from './api-index.js';
export * from './git-reader.js';
export * from './index-generator.js';
export * from './module-api.js';
export * from './rule-tables.js';
