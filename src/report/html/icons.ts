/**
 * Inline SVG status icons. Every status is shown as icon + text (never colour alone); the icons
 * are `aria-hidden` because the text next to them says the same thing.
 */

import { esc } from './escape.js';

export type StatusKind = 'pass' | 'fail' | 'warn' | 'info' | 'none' | 'same';

const PATHS: Record<StatusKind, string> = {
  // check mark
  pass: '<path d="M3 8.5l3.2 3.2L13 5" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>',
  // cross
  fail: '<path d="M4 4l8 8M12 4l-8 8" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>',
  // exclamation in a triangle
  warn: '<path d="M8 2L15 14H1z" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/><path d="M8 6.5v3.5M8 12v.2" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/>',
  // i in a circle
  info: '<circle cx="8" cy="8" r="6.3" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M8 7.2v4.2M8 4.8v.2" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/>',
  // dash
  none: '<path d="M4 8h8" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>',
  // equals
  same: '<path d="M4 6h8M4 10h8" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/>',
};

export function icon(kind: StatusKind): string {
  return `<svg class="icon icon-${kind}" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">${PATHS[kind]}</svg>`;
}

/** A status badge: icon + visible (escaped) text, coloured by class. */
export function badge(kind: StatusKind, text: string): string {
  return `<span class="badge badge-${kind}">${icon(kind)}<span>${esc(text)}</span></span>`;
}
