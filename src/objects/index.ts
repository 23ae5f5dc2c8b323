/**
 * The versioned-object runtime: a model of oslo.versionedobjects / Nova object semantics used to
 * build populated object graphs at historical versions, backlevel them, and check what an older
 * peer would accept. Each concept lives in its own module; this file only re-exports them.
 */
export * from './child-version-map.js';
export * from './def-schema.js';
export * from './eras.js';
export * from './errors.js';
export * from './field-class-names.js';
export * from './field-types.js';
export * from './graph-builder.js';
export * from './iso8601.js';
export * from './json-schema.js';
export * from './make-compatible.js';
export * from './model.js';
export * from './netaddr.js';
export * from './nova-network-model.js';
export * from './python-builtins.js';
export * from './python-values.js';
export * from './registry.js';
export * from './versioned-object.js';
export * from './versions.js';
