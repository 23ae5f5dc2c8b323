/** The Python front end: parser, files, edits, bindings, syntax checks, import block. */
export * from './bindings.js';
export * from './import-block.js';
export * from './parser.js';
export * from './source-file.js';
export * from './syntax.js';
export * from './syntax-helpers.js';
export * from './text-edits.js';
