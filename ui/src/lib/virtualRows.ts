// Which rows of a long list to render, and which pages of rows to fetch, for
// a scroll position: only what is on screen plus a small margin.

export interface RowWindow {
  first: number;
  last: number; // exclusive
}

export function visibleRows(scrollTop: number, viewportHeight: number, rowHeight: number, total: number, margin = 8): RowWindow {
  if (total <= 0 || rowHeight <= 0) return { first: 0, last: 0 };
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - margin);
  const last = Math.min(total, Math.ceil((scrollTop + Math.max(viewportHeight, rowHeight)) / rowHeight) + margin);
  return { first, last: Math.max(first, last) };
}

/** The page numbers (of `pageSize` rows) that hold the rows of `window`. */
export function pagesFor(window: RowWindow, pageSize: number): number[] {
  if (window.last <= window.first) return [];
  const pages: number[] = [];
  for (let page = Math.floor(window.first / pageSize); page * pageSize < window.last; page++) pages.push(page);
  return pages;
}
