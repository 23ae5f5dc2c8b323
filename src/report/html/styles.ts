/**
 * The report's one stylesheet, inlined into the document: system fonts only, light and dark
 * schemes, status colours always paired with an icon and a word, tables that scroll sideways
 * inside their own box in a narrow window (the page never does), and a print stylesheet that
 * drops the chrome and prints every drill-down open.
 */
export const STYLES = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1d2330; --muted: #5b6475; --line: #d9dde5; --panel: #f5f7fa;
  --link: #0b5cad; --code-bg: #f2f4f7;
  --pass: #136c2e; --pass-bg: #e3f4e8; --fail: #a4161a; --fail-bg: #fbe5e6;
  --warn: #8a5300; --warn-bg: #fdf0d5; --info: #1f5f99; --info-bg: #e4eef9;
  --none: #5b6475; --none-bg: #eef0f3; --same: #37475f; --same-bg: #e8ecf3;
  --add: #e3f4e8; --del: #fbe5e6;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif;
  font-size: 15px; line-height: 1.45;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #14171c; --fg: #e4e7ec; --muted: #9aa3b2; --line: #343a45; --panel: #1b1f26;
    --link: #7db7ff; --code-bg: #1f242c;
    --pass: #7fd89a; --pass-bg: #153222; --fail: #ff9a9e; --fail-bg: #3d1b1d;
    --warn: #f5c26b; --warn-bg: #3b2d12; --info: #8cc4ff; --info-bg: #152a40;
    --none: #9aa3b2; --none-bg: #232831; --same: #c3cede; --same-bg: #232a36;
    --add: #173222; --del: #3d1b1d;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); }
a { color: var(--link); }
a:focus-visible, summary:focus-visible { outline: 2px solid var(--link); outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: .3rem .6rem; z-index: 10; }
header.page { padding: 1.2rem clamp(.8rem, 3vw, 2rem) .6rem; border-bottom: 1px solid var(--line); }
header.page h1 { margin: 0 0 .2rem; font-size: 1.55rem; }
header.page p { margin: .15rem 0; color: var(--muted); }
nav.toc ul { display: flex; flex-wrap: wrap; gap: .3rem 1.1rem; list-style: none; padding: 0; margin: .6rem 0 0; }
main { padding: 0 clamp(.8rem, 3vw, 2rem) 3rem; max-width: 110rem; }
section.report-section { margin-top: 1.8rem; }
h2 { font-size: 1.3rem; margin: 0 0 .6rem; padding-bottom: .25rem; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.08rem; margin: 1.3rem 0 .45rem; }
h4 { font-size: .98rem; margin: .8rem 0 .3rem; }
p.note, ul.notes { color: var(--muted); font-size: .92rem; }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: .86rem; }
code { background: var(--code-bg); padding: 0 .25em; border-radius: 3px; }
pre > code { display: inline-block; min-width: 100%; background: none; padding: 0; }
pre { background: var(--code-bg); padding: .55rem .7rem; border-radius: 5px; overflow-x: auto; margin: .4rem 0; line-height: 1.35; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(11.5rem, 1fr)); gap: .7rem; margin: .6rem 0 1rem; padding: 0; list-style: none; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: .65rem .8rem; background: var(--panel); }
.card .label { color: var(--muted); font-size: .85rem; display: block; }
.card .value { font-size: 1.5rem; font-weight: 650; display: block; }
.card .value.text { font-size: 1.05rem; font-family: ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
.card .sub { font-size: .83rem; color: var(--muted); display: block; }
.progress { display: block; margin-top: .35rem; }
.progress svg { display: block; width: 100%; height: 8px; }
.verdict { display: inline-flex; align-items: center; gap: .4rem; font-size: 1.15rem; font-weight: 700; padding: .3rem .8rem; border-radius: 6px; }
.badge { display: inline-flex; align-items: center; gap: .25rem; padding: .05rem .4rem; border-radius: 4px; font-size: .84rem; font-weight: 600; white-space: nowrap; }
.badge-pass, .verdict.pass { color: var(--pass); background: var(--pass-bg); }
.badge-fail, .verdict.fail { color: var(--fail); background: var(--fail-bg); }
.badge-warn { color: var(--warn); background: var(--warn-bg); }
.badge-info { color: var(--info); background: var(--info-bg); }
.badge-none { color: var(--none); background: var(--none-bg); font-weight: 500; }
.badge-same { color: var(--same); background: var(--same-bg); }
.icon { flex: none; }
.table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; margin: .5rem 0 1rem; max-width: 100%; width: fit-content; }
.table-wrap:has(table.full) { width: auto; }
table { border-collapse: collapse; font-size: .9rem; }
table.full { width: 100%; }
caption { text-align: left; padding: .45rem .6rem; color: var(--muted); font-size: .86rem; caption-side: top; }
th, td { border-bottom: 1px solid var(--line); padding: .32rem .55rem; text-align: left; vertical-align: top; }
thead th { background: var(--panel); font-weight: 650; white-space: nowrap; position: sticky; top: 0; z-index: 1; }
tbody th[scope="row"] { background: var(--panel); font-weight: 600; white-space: nowrap; position: sticky; left: 0; z-index: 1; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.cell { min-width: 6.5rem; }
td.cell .ver { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-weight: 650; margin-right: .25rem; }
details { margin: .2rem 0; }
details > summary { cursor: pointer; }
details.cell-details > summary { list-style: none; display: flex; flex-wrap: wrap; align-items: center; gap: .15rem .3rem; }
details.cell-details > summary::-webkit-details-marker { display: none; }
details.cell-details > summary::after { content: "\\25B8"; color: var(--muted); font-size: .75rem; }
details.cell-details[open] > summary::after { content: "\\25BE"; }
.drill { border-left: 3px solid var(--line); padding: .2rem 0 .2rem .6rem; margin: .35rem 0 .2rem; min-width: 18rem; max-width: 48rem; white-space: normal; }
.finding { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .7rem; margin: .55rem 0; background: var(--bg); }
.finding-head { display: flex; flex-wrap: wrap; gap: .3rem .6rem; align-items: baseline; }
.finding-head .where { font-family: ui-monospace, monospace; font-size: .85rem; overflow-wrap: anywhere; }
.finding-head .rule { color: var(--muted); font-size: .82rem; }
.finding p.msg { margin: .3rem 0; overflow-wrap: anywhere; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem; margin: .3rem 0; font-size: .88rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.frame { display: block; }
.frame .ln { color: var(--muted); user-select: none; display: inline-block; min-width: 3.2em; text-align: right; padding-right: .7em; }
.frame .hit { background: var(--warn-bg); display: block; }
.frame .row { display: block; white-space: pre; }
.diff .row { display: block; white-space: pre; }
.diff .add { background: var(--add); }
.diff .del { background: var(--del); }
.diff .hunk { color: var(--info); }
.diff .meta { color: var(--muted); }
.prim { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: .5rem; }
.prim h5 { margin: .3rem 0 0; font-size: .85rem; }
.timeline { margin: .3rem 0 .8rem; }
.timeline svg { max-width: 100%; height: auto; }
.timeline svg text { font-family: inherit; font-size: 11px; fill: var(--fg); }
.timeline svg .tl-axis { stroke: var(--line); }
.timeline svg .tl-bar { fill: var(--info-bg); stroke: var(--info); }
.timeline svg .tl-bar.cur { fill: var(--pass-bg); stroke: var(--pass); }
.timeline svg .tl-bar.bad { fill: var(--fail-bg); stroke: var(--fail); }
.legend { display: flex; flex-wrap: wrap; gap: .4rem .9rem; list-style: none; padding: 0; margin: .4rem 0; font-size: .86rem; }
.legend li { display: flex; align-items: center; gap: .3rem; }
.sites { margin: .3rem 0 0 1.1rem; padding: 0; font-size: .86rem; }
.sites li { overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.finding-ref { margin: .35rem 0; font-size: .88rem; overflow-wrap: anywhere; }
.pill { font-size: .78rem; color: var(--muted); border: 1px solid var(--line); border-radius: 999px; padding: 0 .45rem; }
@media (max-width: 40rem) {
  :root { font-size: 14px; }
  header.page h1 { font-size: 1.3rem; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dt { margin-top: .25rem; }
  .drill { min-width: 14rem; }
}
@media print {
  :root { color-scheme: light; --bg: #fff; --fg: #000; --panel: #f3f3f3; --line: #bbb; font-size: 10.5pt; }
  body { background: #fff; color: #000; }
  nav.toc, .skip, .no-print { display: none !important; }
  main { max-width: none; padding: 0; }
  header.page { padding: 0 0 .4rem; }
  .table-wrap { overflow: visible; border: none; }
  thead th, tbody th[scope="row"] { position: static; }
  table { font-size: 8.5pt; }
  section.report-section { break-before: page; }
  section.report-section:first-of-type { break-before: auto; }
  .finding, tr, .card, pre { break-inside: avoid; }
  pre { white-space: pre-wrap; overflow: visible; }
  .frame .row, .diff .row { white-space: pre-wrap; }
  a { color: inherit; text-decoration: none; }
  details > summary::after { content: none !important; }
}
`;

/**
 * Opens every drill-down before printing (closed `<details>` content would not print). The
 * report works without scripts; this only improves printing where scripts run.
 */
export const PRINT_SCRIPT = `addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach(function(d){if(!d.open){d.open=true;d.setAttribute('data-print-opened','')}})});addEventListener('afterprint',function(){document.querySelectorAll('details[data-print-opened]').forEach(function(d){d.open=false;d.removeAttribute('data-print-opened')})});`;
