// @ts-check
// Charts drawn by the window itself as inline SVG (issue 16): horizontal
// bars and a funnel. No library, no remote content; every text goes in as
// a text node. A hidden figure is never drawn as a length: it is a dashed,
// hatched outline across the whole track with its text ("< 5"). Each chart
// is an image with a title and a summary (role="img", aria-labelledby); the
// table beside it holds the data for assistive technologies. Colours come
// from the classes in style.css (the app's palette, sufficient contrast).

const NS = 'http://www.w3.org/2000/svg';

/**
 * An SVG element; `text` sets its text content, other attributes are set
 * as they are (`null`/`undefined` are left out).
 * @param {string} tag
 * @param {Record<string, string | number | null | undefined>} [attrs]
 * @param {...(SVGElement | null | false)} children
 * @returns {SVGElement}
 */
export function svg(tag, attrs = {}, ...children) {
  const node = /** @type {SVGElement} */ (document.createElementNS(NS, tag));
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined) continue;
    if (name === 'text') node.textContent = String(value);
    else node.setAttribute(name, String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/**
 * One bar: its label, its value (`null`: hidden, drawn as a marker) and the
 * text written at its end (the figure as the table shows it).
 * @typedef {{ label: string, value: number | null, text: string }} Bar
 */

/**
 * @typedef {object} ChartSpec
 * @property {string} id Unique in the page (titles and patterns are named from it).
 * @property {string} title
 * @property {string} summary What the chart shows, in words (its accessible description).
 * @property {Bar[]} bars
 * @property {number} [max] The value of a full bar (default: the largest value).
 */

const WIDTH = 640;
const LABEL = 190;
const VALUE = 70;
const ROW = 30;
const BAR = 20;
const PAD = 6;

/**
 * The frame of a chart: the svg with its title, description and hatch pattern.
 * @param {ChartSpec} spec
 * @param {string} kind
 */
function frame(spec, kind) {
  const height = PAD * 2 + spec.bars.length * ROW;
  const titleId = `${spec.id}-title`;
  const descId = `${spec.id}-desc`;
  const hatch = `${spec.id}-hatch`;
  const root = svg('svg', {
    id: spec.id, class: `chart chart-${kind}`, role: 'img', 'aria-labelledby': `${titleId} ${descId}`,
    viewBox: `0 0 ${WIDTH} ${height}`, width: WIDTH, height, 'data-chart': kind,
  },
  svg('title', { id: titleId, text: spec.title }),
  svg('desc', { id: descId, text: spec.summary }),
  svg('defs', {},
    svg('pattern', { id: hatch, width: 8, height: 8, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      svg('line', { x1: 0, y1: 0, x2: 0, y2: 8, class: 'chart-hatch-line' }))));
  return { root, hatch };
}

/**
 * The marker of a hidden figure: the whole track, dashed and hatched.
 * @param {number} x
 * @param {number} y
 * @param {number} width
 * @param {string} hatch
 */
function hiddenMarker(x, y, width, hatch) {
  return svg('rect', {
    x, y, width, height: BAR, rx: 3, class: 'chart-hidden', fill: `url(#${hatch})`, 'data-hidden': 'true',
  });
}

/**
 * A label cut to fit its column (the full text stays in the table).
 * @param {string} text
 */
function fit(text) {
  return text.length > 26 ? `${text.slice(0, 25)}…` : text;
}

/**
 * Horizontal bars, one per row, longest for the largest value.
 * @param {ChartSpec} spec
 */
export function barChart(spec) {
  const { root, hatch } = frame(spec, 'bars');
  const track = WIDTH - LABEL - VALUE;
  const max = spec.max ?? Math.max(0, ...spec.bars.map((b) => b.value ?? 0));
  spec.bars.forEach((bar, i) => {
    const y = PAD + i * ROW + (ROW - BAR) / 2;
    const label = svg('text', { x: LABEL - 8, y: y + BAR / 2, class: 'chart-label', 'text-anchor': 'end',
      'dominant-baseline': 'middle', text: fit(bar.label) });
    const mark = bar.value === null
      ? hiddenMarker(LABEL, y, track, hatch)
      : svg('rect', { x: LABEL, y, height: BAR, rx: 3, class: 'chart-bar', 'data-value': bar.value,
        width: max > 0 ? Math.max(1, (bar.value / max) * track) : 1 });
    // The figure after its bar; a hidden one after the whole track.
    const end = bar.value === null ? WIDTH - VALUE + 6 : LABEL + (max > 0 ? (bar.value / max) * track : 0) + 6;
    const value = svg('text', {
      x: Math.min(end, WIDTH - VALUE + 6), y: y + BAR / 2,
      class: bar.value === null ? 'chart-value chart-value-hidden' : 'chart-value', 'dominant-baseline': 'middle',
      text: bar.text,
    });
    root.append(svg('g', { class: 'chart-row' }, label, mark, value));
  });
  return root;
}

/**
 * A funnel: one centred bar per step, narrowing as people drop out; the
 * first step (or the largest value) is a full bar.
 * @param {ChartSpec} spec
 */
export function funnelChart(spec) {
  const { root, hatch } = frame(spec, 'funnel');
  const track = WIDTH - LABEL - VALUE;
  const max = spec.max ?? Math.max(0, ...spec.bars.map((b) => b.value ?? 0));
  const centre = LABEL + track / 2;
  spec.bars.forEach((bar, i) => {
    const y = PAD + i * ROW + (ROW - BAR) / 2;
    const label = svg('text', { x: LABEL - 8, y: y + BAR / 2, class: 'chart-label', 'text-anchor': 'end',
      'dominant-baseline': 'middle', text: fit(bar.label) });
    const width = bar.value === null || max <= 0 ? 0 : Math.max(1, (bar.value / max) * track);
    const mark = bar.value === null
      ? hiddenMarker(LABEL, y, track, hatch)
      : svg('rect', { x: centre - width / 2, y, width, height: BAR, rx: 3, class: 'chart-bar', 'data-value': bar.value });
    const value = svg('text', {
      x: WIDTH - VALUE + 8, y: y + BAR / 2, 'dominant-baseline': 'middle',
      class: bar.value === null ? 'chart-value chart-value-hidden' : 'chart-value', text: bar.text,
    });
    root.append(svg('g', { class: 'chart-row' }, label, mark, value));
  });
  return root;
}
