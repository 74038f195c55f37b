import { describe, expect, it } from "vitest";
import { firstRows } from "./firstRows";

describe("firstRows", () => {
  const rows = Array.from({ length: 25 }, (_, index) => index);

  it("holds back what is beyond the first rows until expanded", () => {
    expect(firstRows(rows, 10, false)).toEqual({ shown: rows.slice(0, 10), hidden: 15 });
    expect(firstRows(rows, 10, true)).toEqual({ shown: rows, hidden: 0 });
  });

  it("shows everything when the list is short or has no limit", () => {
    expect(firstRows(rows.slice(0, 10), 10, false)).toEqual({ shown: rows.slice(0, 10), hidden: 0 });
    expect(firstRows([], 10, false)).toEqual({ shown: [], hidden: 0 });
    expect(firstRows(rows, undefined, false)).toEqual({ shown: rows, hidden: 0 });
  });
});
