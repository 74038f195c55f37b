import { describe, expect, it } from "vitest";
import {
  backingSize,
  drawStrokes,
  hasInk,
  lineWidthFor,
  pressureOf,
  simplifyStroke,
  toStrokePoint,
  type DrawContext,
} from "./signature";
import type { StrokePoint } from "./bindings/StrokePoint";

const box = { left: 100, top: 50, width: 400, height: 200 };
const pt = (x: number, y: number, t = 0, p = 0.5): StrokePoint => ({ x, y, t, p });

describe("pressureOf", () => {
  it("uses 0.5 when the device reports nothing", () => {
    expect(pressureOf(0)).toBe(0.5);
    expect(pressureOf(undefined)).toBe(0.5);
    expect(pressureOf(null)).toBe(0.5);
    expect(pressureOf(Number.NaN)).toBe(0.5);
  });
  it("keeps real pressure, clamped to 0..1", () => {
    expect(pressureOf(0.25)).toBe(0.25);
    expect(pressureOf(3)).toBe(1);
  });
});

describe("toStrokePoint", () => {
  it("normalizes to the pad's CSS box", () => {
    expect(toStrokePoint(300, 150, box, 12.4, 0)).toEqual({ x: 0.5, y: 0.5, t: 12, p: 0.5 });
    expect(toStrokePoint(100, 50, box, 0, 0.8)).toEqual({ x: 0, y: 0, t: 0, p: 0.8 });
  });
  it("clamps positions outside the pad (captured pointer)", () => {
    const point = toStrokePoint(1000, -20, box, 5, 0.5);
    expect(point.x).toBe(1);
    expect(point.y).toBe(0);
  });
  it("survives an empty box and negative times", () => {
    expect(toStrokePoint(10, 10, { left: 0, top: 0, width: 0, height: 0 }, -3, 0)).toEqual({ x: 0, y: 0, t: 0, p: 0.5 });
  });
  it("rounds to 4 decimals", () => {
    const point = toStrokePoint(100 + 400 / 3, 50, box, 0, 0);
    expect(point.x).toBe(0.3333);
  });
});

describe("simplifyStroke", () => {
  it("keeps short strokes and drops exact repeats", () => {
    expect(simplifyStroke([pt(0.1, 0.1)])).toEqual([pt(0.1, 0.1)]);
    expect(simplifyStroke([pt(0.1, 0.1, 0), pt(0.1, 0.1, 5), pt(0.2, 0.2, 9)])).toEqual([pt(0.1, 0.1, 0), pt(0.2, 0.2, 9)]);
  });
  it("removes collinear points but keeps corners, first and last", () => {
    const line = Array.from({ length: 11 }, (_, i) => pt(i / 20, 0.2, i));
    const corner = Array.from({ length: 10 }, (_, i) => pt(0.5, 0.2 + (i + 1) / 20, 11 + i));
    const simplified = simplifyStroke([...line, ...corner]);
    expect(simplified).toEqual([pt(0, 0.2, 0), pt(0.5, 0.2, 10), pt(0.5, 0.7, 20)]);
  });
  it("keeps detail above the tolerance", () => {
    const zigzag = [pt(0, 0), pt(0.1, 0.1), pt(0.2, 0), pt(0.3, 0.1)];
    expect(simplifyStroke(zigzag)).toHaveLength(4);
  });
  it("does not modify its input", () => {
    const stroke = [pt(0, 0), pt(0.5, 0), pt(1, 0)];
    simplifyStroke(stroke);
    expect(stroke).toHaveLength(3);
  });
});

describe("pad sizing and ink", () => {
  it("sizes the backing store by the device pixel ratio", () => {
    expect(backingSize(300, 100, 2)).toEqual({ width: 600, height: 200, scale: 2 });
    expect(backingSize(300, 100, 1.5)).toEqual({ width: 450, height: 150, scale: 1.5 });
    expect(backingSize(300, 100, 0)).toEqual({ width: 300, height: 100, scale: 1 });
  });
  it("knows when there is ink", () => {
    expect(hasInk([])).toBe(false);
    expect(hasInk([[]])).toBe(false);
    expect(hasInk([[pt(0, 0)]])).toBe(true);
  });
  it("thickens lines with pressure", () => {
    expect(lineWidthFor(1, 2)).toBeGreaterThan(lineWidthFor(0.5, 2));
    expect(lineWidthFor(0.5, 2)).toBeGreaterThan(lineWidthFor(0, 2));
  });
});

describe("drawStrokes", () => {
  function fakeContext() {
    const calls: string[] = [];
    const ctx: DrawContext = {
      lineWidth: 1,
      lineCap: "butt",
      lineJoin: "miter",
      strokeStyle: "",
      fillStyle: "",
      beginPath: () => calls.push("begin"),
      moveTo: (x: number, y: number) => calls.push(`move ${x},${y}`),
      lineTo: (x: number, y: number) => calls.push(`line ${x},${y}`),
      stroke: () => calls.push("stroke"),
      arc: (x: number, y: number) => calls.push(`arc ${x},${y}`),
      fill: () => calls.push("fill"),
      clearRect: (x: number, y: number, w: number, h: number) => calls.push(`clear ${x},${y},${w},${h}`),
    } as DrawContext;
    return { ctx, calls };
  }

  it("clears, then draws segments in CSS pixels and dots for single points", () => {
    const { ctx, calls } = fakeContext();
    drawStrokes(ctx, [[pt(0, 0), pt(0.5, 1)], [pt(1, 0.5)], []], 200, 100, "#000");
    expect(calls).toEqual(["clear 0,0,200,100", "begin", "move 0,0", "line 100,100", "stroke", "begin", "arc 200,50", "fill"]);
    expect(ctx.strokeStyle).toBe("#000");
    expect(ctx.lineCap).toBe("round");
  });
});
