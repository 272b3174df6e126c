import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { axisTicks, barLayout, chartMax, linePath, linePoints, type Box } from '../lib/chart.js';

const PADDING: Box['padding'] = { top: 10, right: 6, bottom: 20, left: 48 };

/**
 * The drawn width follows the element's own width (ResizeObserver), so the SVG is drawn at 1:1
 * and its axis text keeps its size from 375 px phones to wide screens.
 */
function useWidth(fallback: number): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver((entries) => {
      const w = Math.round(entries[0]?.contentRect.width ?? 0);
      if (w > 0) setWidth(w);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

export interface Series {
  name: string;
  values: (number | null)[];
  tone: 'accent' | 'accent-2' | 'ok' | 'bad';
}

/**
 * A chart drawn in SVG (no chart library): bars (optionally a second series stacked on them) and
 * lines over the same slots, a y axis from 0 to `max` (default: a round value above the data).
 * The SVG is one image with a summary for screen readers; the numbers are in the table the
 * caller shows with it.
 */
export function Chart(props: {
  /** Counts: ticks fall on whole numbers. */
  integer?: boolean;
  label: string;
  labels: string[];
  bars?: Series;
  stacked?: Series;
  lines?: Series[];
  max?: number;
  format(v: number): string;
  testId?: string;
  height?: number;
}) {
  const [ref, width] = useWidth(360);
  const BOX: Box = { width, height: props.height ?? 160, padding: PADDING };
  const n = props.labels.length;
  const zeros = props.labels.map(() => 0);
  const barValues = props.bars ? props.bars.values.map((v) => v ?? 0) : zeros;
  const stackedValues = props.stacked ? props.stacked.values.map((v) => v ?? 0) : zeros;
  const rawMax = props.max ?? chartMax([barValues.map((v, i) => v + (stackedValues[i] ?? 0)), ...(props.lines ?? []).map((l) => l.values)]);
  const max = props.integer ? Math.max(1, Math.ceil(rawMax)) : rawMax;
  const bars = barLayout(barValues, BOX, { max }).bars;
  const stacked = barLayout(stackedValues, BOX, { max }).bars;
  const plotBottom = BOX.height - BOX.padding.bottom;
  // One label per ~70 px, so they never overlap.
  const every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor((width - PADDING.left) / 70))));
  const slot = (BOX.width - BOX.padding.left - BOX.padding.right) / Math.max(1, n);
  return (
    <div class="chart-box" ref={ref}>
      <svg class="chart" viewBox={`0 0 ${BOX.width} ${BOX.height}`} role="img" aria-label={props.label} data-testid={props.testId}>
        {axisTicks(max, props.integer).map((t) => {
          const y = plotBottom - (t / max) * (plotBottom - BOX.padding.top);
          return (
            <g key={t}>
              <line x1={BOX.padding.left} x2={BOX.width - BOX.padding.right} y1={y} y2={y} class="grid" />
              <text x={BOX.padding.left - 6} y={y + 4} class="axis" text-anchor="end">
                {props.format(t)}
              </text>
            </g>
          );
        })}
        {props.bars &&
          bars.map((b, i) => {
            const s = stacked[i];
            return (
              <g key={i}>
                {b.height > 0 && <rect x={b.x} y={b.y} width={b.width} height={b.height} class={`bar ${props.bars?.tone ?? ''}`} />}
                {props.stacked && s && s.height > 0 && (
                  <rect x={s.x} y={b.y - s.height} width={s.width} height={s.height} class={`bar ${props.stacked.tone}`} />
                )}
              </g>
            );
          })}
        {(props.lines ?? []).map((l) => (
          <g key={l.name}>
            <path d={linePath(l.values, BOX, max)} class={`line ${l.tone}`} />
            {linePoints(l.values, BOX, max).map((pt, i) => (
              <circle key={i} cx={pt.x} cy={pt.y} r={2.5} class={`dot ${l.tone}`} />
            ))}
          </g>
        ))}
        {props.labels.map((label, i) =>
          i % every === 0 ? (
            <text key={`${label}-${i}`} x={BOX.padding.left + (i + 0.5) * slot} y={BOX.height - 6} class="axis" text-anchor="middle">
              {label}
            </text>
          ) : null,
        )}
      </svg>
    </div>
  );
}

export function Legend({ items }: { items: { name: string; tone: Series['tone'] }[] }) {
  return (
    <ul class="legend" aria-hidden="true">
      {items.map((i) => (
        <li key={i.name}>
          <span class={`swatch ${i.tone}`} />
          {i.name}
        </li>
      ))}
    </ul>
  );
}
