import { describe, expect, it } from "vitest";
import { pagesFor, visibleRows } from "./virtualRows";

describe("virtual rows", () => {
  it("renders only the rows on screen plus a margin", () => {
    expect(visibleRows(0, 600, 60, 100_000)).toEqual({ first: 0, last: 18 });
    expect(visibleRows(60_000, 600, 60, 100_000)).toEqual({ first: 992, last: 1018 });
  });

  it("never goes past the end or below zero", () => {
    expect(visibleRows(5_999_000, 600, 60, 100_000)).toEqual({ first: 99_975, last: 100_000 });
    expect(visibleRows(0, 600, 60, 0)).toEqual({ first: 0, last: 0 });
  });

  it("asks for the pages that hold the window", () => {
    expect(pagesFor({ first: 992, last: 1018 }, 100)).toEqual([9, 10]);
    expect(pagesFor({ first: 0, last: 18 }, 100)).toEqual([0]);
    expect(pagesFor({ first: 0, last: 0 }, 100)).toEqual([]);
  });
});
