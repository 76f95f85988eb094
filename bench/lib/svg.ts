/** Hand-made SVG charts: horizontal bars, optionally on a log scale, with a reference line. */

export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Shown at the bar's end; defaults to the value. */
  readonly text?: string;
  readonly color: string;
}

export interface BarGroup {
  readonly title: string;
  readonly bars: readonly Bar[];
}

export interface BarChartOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly axisLabel: string;
  readonly groups: readonly BarGroup[];
  readonly log?: boolean;
  readonly reference?: { readonly value: number; readonly label: string };
  readonly tickFormat?: (value: number) => string;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function barChart(options: BarChartOptions): string {
  const labelWidth = 330;
  const plotWidth = 520;
  const valueWidth = 90;
  const barHeight = 16;
  const gap = 4;
  const groupGap = 26;
  const top = (options.subtitle ? 62 : 46) + (options.reference ? 10 : 0);
  const width = labelWidth + plotWidth + valueWidth + 20;
  const values = options.groups.flatMap((group) => group.bars.map((bar) => bar.value)).filter((value) => Number.isFinite(value) && value > 0);
  if (options.reference) values.push(options.reference.value);
  const maxValue = Math.max(...values, 1e-9);
  const minValue = Math.min(...values, maxValue);
  const log = options.log === true;
  // Half a decade of room below the smallest value, so that no bar is drawn with zero length.
  const lo = log ? 10 ** Math.floor(Math.log10(minValue) - 0.3) : 0;
  const hi = log ? 10 ** Math.ceil(Math.log10(maxValue)) : niceCeiling(maxValue);
  const x = (value: number) => {
    if (!Number.isFinite(value) || value <= 0) return 0;
    const fraction = log ? (Math.log10(value) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : value / hi;
    return Math.max(0, Math.min(1, fraction)) * plotWidth;
  };
  const format = options.tickFormat ?? ((value: number) => String(value));
  const parts: string[] = [];
  let y = top;
  for (const group of options.groups) {
    parts.push(`<text x="8" y="${y + 12}" font-weight="bold" font-size="13">${escapeXml(group.title)}</text>`);
    y += 20;
    for (const bar of group.bars) {
      const w = x(bar.value);
      parts.push(`<text x="${labelWidth - 8}" y="${y + barHeight - 4}" text-anchor="end" font-size="12">${escapeXml(bar.label)}</text>`);
      parts.push(
        `<rect x="${labelWidth}" y="${y}" width="${Math.max(w, 1).toFixed(1)}" height="${barHeight}" fill="${bar.color}"><title>${escapeXml(`${bar.label}: ${bar.text ?? bar.value}`)}</title></rect>`,
      );
      parts.push(`<text x="${labelWidth + w + 6}" y="${y + barHeight - 4}" font-size="11" fill="#333">${escapeXml(bar.text ?? format(bar.value))}</text>`);
      y += barHeight + gap;
    }
    y += groupGap - gap;
  }
  const plotBottom = y - groupGap + 8;
  const ticks = log ? logTicks(lo, hi) : linearTicks(hi);
  const axis: string[] = [];
  for (const tick of ticks) {
    const tx = labelWidth + x(tick);
    axis.push(`<line x1="${tx}" y1="${top - 6}" x2="${tx}" y2="${plotBottom}" stroke="#ddd" stroke-width="1"/>`);
    axis.push(`<text x="${tx}" y="${plotBottom + 16}" text-anchor="middle" font-size="11" fill="#555">${escapeXml(format(tick))}</text>`);
  }
  if (options.reference) {
    const rx = labelWidth + x(options.reference.value);
    axis.push(`<line x1="${rx}" y1="${top - 10}" x2="${rx}" y2="${plotBottom}" stroke="#c0392b" stroke-dasharray="5,3" stroke-width="1.5"/>`);
    // Near the right edge the label goes to the left of the line, so that it is not cut off.
    const leftOfLine = rx > labelWidth + plotWidth * 0.6;
    axis.push(
      `<text x="${leftOfLine ? rx - 4 : rx + 4}" y="${top - 12}" text-anchor="${leftOfLine ? 'end' : 'start'}" font-size="11" fill="#c0392b">${escapeXml(options.reference.label)}</text>`,
    );
  }
  const height = plotBottom + 40;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="22" font-size="16" font-weight="bold">${escapeXml(options.title)}</text>`,
    ...(options.subtitle ? [`<text x="8" y="40" font-size="12" fill="#555">${escapeXml(options.subtitle)}</text>`] : []),
    ...axis,
    ...parts,
    `<text x="${labelWidth + plotWidth / 2}" y="${plotBottom + 32}" text-anchor="middle" font-size="12" fill="#333">${escapeXml(options.axisLabel)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function linearTicks(hi: number): number[] {
  return [0, 0.25, 0.5, 0.75, 1].map((fraction) => fraction * hi);
}

function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let power = lo; power <= hi * 1.0001; power *= 10) {
    ticks.push(power);
    if (power * 3 < hi) ticks.push(power * 3);
  }
  return ticks;
}
