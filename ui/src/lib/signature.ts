// Pure helpers for the signature pad: pointer positions to normalized stroke
// points, stroke simplification, and drawing strokes onto a 2D canvas context.
import type { StrokePoint } from "./bindings/StrokePoint";

export type Stroke = StrokePoint[];

/** The pad's box in CSS pixels (what getBoundingClientRect gives). */
export interface PadBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

const clamp01 = (value: number) => (Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0);
const round4 = (value: number) => Math.round(value * 10000) / 10000;

/** Pen pressure as 0..1; devices that report 0 (most mice, some touch) get 0.5. */
export function pressureOf(reported: number | undefined | null): number {
  if (reported === undefined || reported === null || !Number.isFinite(reported) || reported <= 0) return 0.5;
  return round4(clamp01(reported));
}

/**
 * A pointer position as a stroke point: x, y in 0..1 of the pad's CSS box,
 * t in whole ms since the stroke's first point, p the pressure (0.5 when unknown).
 */
export function toStrokePoint(
  clientX: number,
  clientY: number,
  box: PadBox,
  elapsedMs: number,
  pressure: number | undefined | null,
): StrokePoint {
  const x = box.width > 0 ? (clientX - box.left) / box.width : 0;
  const y = box.height > 0 ? (clientY - box.top) / box.height : 0;
  return {
    x: round4(clamp01(x)),
    y: round4(clamp01(y)),
    t: Math.max(0, Math.round(Number.isFinite(elapsedMs) ? elapsedMs : 0)),
    p: pressureOf(pressure),
  };
}

/** Distance from `point` to the segment a–b (in normalized units). */
function segmentDistance(point: StrokePoint, a: StrokePoint, b: StrokePoint): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const lengthSquared = dx * dx + dy * dy;
  if (lengthSquared === 0) return Math.hypot(point.x - a.x, point.y - a.y);
  const along = Math.min(1, Math.max(0, ((point.x - a.x) * dx + (point.y - a.y) * dy) / lengthSquared));
  return Math.hypot(point.x - (a.x + along * dx), point.y - (a.y + along * dy));
}

/**
 * Fewer points, same shape: drops exact repeats, then Ramer–Douglas–Peucker
 * with `tolerance` (normalized units). First and last points always stay.
 */
export function simplifyStroke(stroke: Stroke, tolerance = 0.0015): Stroke {
  const points: Stroke = [];
  for (const point of stroke) {
    const last = points[points.length - 1];
    if (last && last.x === point.x && last.y === point.y) continue;
    points.push(point);
  }
  if (points.length <= 2) return points;
  const keep = new Array<boolean>(points.length).fill(false);
  keep[0] = true;
  keep[points.length - 1] = true;
  const stack: [number, number][] = [[0, points.length - 1]];
  while (stack.length > 0) {
    const [first, last] = stack.pop()!;
    let farthest = -1;
    let distance = 0;
    for (let index = first + 1; index < last; index++) {
      const d = segmentDistance(points[index]!, points[first]!, points[last]!);
      if (d > distance) {
        distance = d;
        farthest = index;
      }
    }
    if (farthest !== -1 && distance > tolerance) {
      keep[farthest] = true;
      stack.push([first, farthest], [farthest, last]);
    }
  }
  return points.filter((_, index) => keep[index]);
}

/** Whether anything has been drawn. */
export function hasInk(strokes: Stroke[]): boolean {
  return strokes.some((stroke) => stroke.length > 0);
}

/** The canvas backing store for a CSS size at a device pixel ratio. */
export function backingSize(cssWidth: number, cssHeight: number, ratio: number): { width: number; height: number; scale: number } {
  const scale = Number.isFinite(ratio) && ratio > 0 ? ratio : 1;
  return {
    width: Math.max(1, Math.round(cssWidth * scale)),
    height: Math.max(1, Math.round(cssHeight * scale)),
    scale,
  };
}

/** Line width for a pressure: thinner for light touches, thicker for firm ones. */
export function lineWidthFor(pressure: number, base: number): number {
  return base * (0.6 + 0.8 * clamp01(pressure));
}

/** The subset of CanvasRenderingContext2D the drawing needs (so tests can fake it). */
export type DrawContext = Pick<
  CanvasRenderingContext2D,
  "beginPath" | "moveTo" | "lineTo" | "stroke" | "arc" | "fill" | "clearRect"
> & {
  lineWidth: number;
  lineCap: CanvasLineCap;
  lineJoin: CanvasLineJoin;
  strokeStyle: CanvasRenderingContext2D["strokeStyle"];
  fillStyle: CanvasRenderingContext2D["fillStyle"];
};

/** Draws one stroke in CSS pixels of a `width`×`height` pad. */
export function drawStroke(ctx: DrawContext, stroke: Stroke, width: number, height: number, color: string, base = 2.2): void {
  if (stroke.length === 0) return;
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  if (stroke.length === 1) {
    const dot = stroke[0]!;
    ctx.beginPath();
    ctx.arc(dot.x * width, dot.y * height, lineWidthFor(dot.p, base) / 2, 0, Math.PI * 2);
    ctx.fill();
    return;
  }
  for (let index = 1; index < stroke.length; index++) {
    const from = stroke[index - 1]!;
    const to = stroke[index]!;
    ctx.beginPath();
    ctx.lineWidth = lineWidthFor((from.p + to.p) / 2, base);
    ctx.moveTo(from.x * width, from.y * height);
    ctx.lineTo(to.x * width, to.y * height);
    ctx.stroke();
  }
}

/** Clears the pad and draws every stroke. */
export function drawStrokes(ctx: DrawContext, strokes: Stroke[], width: number, height: number, color: string, base = 2.2): void {
  ctx.clearRect(0, 0, width, height);
  for (const stroke of strokes) drawStroke(ctx, stroke, width, height, color, base);
}
