/**
 * The page: one self-contained HTML document (inline CSS, inline SVG, a few lines of inline script
 * used only for printing; no network, no external fonts), with a header, a table of contents and
 * the sections each command contributes.
 */
import { esc } from './escape.js';
import { PRINT_SCRIPT, STYLES } from './styles.js';

export interface ReportSection {
  id: string;
  title: string;
  /** The section body (already escaped HTML); the section renders its own `<h2>`. */
  html: string;
}

export interface DocumentInput {
  title: string;
  /** One line under the title: what was analysed. */
  subtitle?: string;
  /** Further header lines (tool version, time, repository). */
  meta?: string[];
  sections: ReportSection[];
}

export function renderDocument(doc: DocumentInput): string {
  const toc = doc.sections.map((s) => `<li><a href="#${esc(s.id)}">${esc(s.title)}</a></li>`).join('');
  const body = doc.sections
    .map(
      (s) =>
        `<section class="report-section" id="${esc(s.id)}" aria-labelledby="${esc(s.id)}-h"><h2 id="${esc(s.id)}-h">${esc(s.title)}</h2>${s.html}</section>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="backlevel">
<title>${esc(doc.title)}</title>
<style>${STYLES}</style>
</head>
<body>
<a class="skip" href="#main">Skip to the report</a>
<header class="page">
<h1>${esc(doc.title)}</h1>
${doc.subtitle ? `<p>${esc(doc.subtitle)}</p>` : ''}
${(doc.meta ?? []).map((m) => `<p>${esc(m)}</p>`).join('\n')}
<nav class="toc" aria-label="Sections"><ul>${toc}</ul></nav>
</header>
<main id="main">
${body}
</main>
<script>${PRINT_SCRIPT}</script>
</body>
</html>
`;
}
