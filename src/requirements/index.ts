/** PEP 508 / PEP 440 requirements: public surface of `src/requirements`. */
export * from './ini.js';
export * from './markers.js';
export * from './requirement-line.js';
export * from './requirements-file.js';
export * from './specifier.js';
export * from './version-range.js';
