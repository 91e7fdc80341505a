import { describe, expect, it } from "vitest";

import { firstVisibleIndex, gridMetrics, scrollToRow, tabStop, visibleWindow } from "./virtual";

describe("gridMetrics", () => {
  const height = (w: number) => w * 0.5 + 60;

  it.each([
    // width, min item width, gap, columns
    [1000, 200, 20, 4], // 4 * 200 + 3 * 20 = 860 <= 1000 < 5 * 200 + 4 * 20
    [1080, 200, 20, 5], // exactly five
    [100, 200, 20, 1], // narrower than one item still shows one column
    [0, 200, 20, 1],
  ])("fits %d px with items of %d px and %d px gaps into %d columns", (width, min, gap, columns) => {
    expect(gridMetrics(width, min, gap, height).columns).toBe(columns);
  });

  it("stretches items to fill the row and derives the row height from their width", () => {
    const m = gridMetrics(1080, 200, 20, height);
    expect(m.itemWidth).toBe(200);
    expect(m.rowHeight).toBe(200 * 0.5 + 60 + 20);
  });
});

describe("visibleWindow", () => {
  const base = { count: 1000, columns: 4, rowHeight: 100, viewportHeight: 450, overscan: 1 };

  it("renders the rows on screen plus the overscan at the top", () => {
    // Rows 0..4 are visible (450 px), one more below.
    expect(visibleWindow({ ...base, scrollTop: 0 })).toEqual({
      start: 0,
      end: 24,
      offsetTop: 0,
      totalHeight: 25_000,
    });
  });

  it("follows the scroll position", () => {
    // Rows 10..14 visible (1000..1450), overscan 9 and 15.
    expect(visibleWindow({ ...base, scrollTop: 1000 })).toEqual({
      start: 36,
      end: 64,
      offsetTop: 900,
      totalHeight: 25_000,
    });
  });

  it("ends with the last item, even in a partial row", () => {
    const w = visibleWindow({ ...base, count: 10, scrollTop: 0, viewportHeight: 10_000 });
    expect([w.start, w.end, w.totalHeight]).toEqual([0, 10, 300]);
  });

  it("clamps a scroll position past the end", () => {
    const w = visibleWindow({ ...base, scrollTop: 1e9 });
    expect(w.end).toBe(1000);
    expect(w.start).toBeGreaterThan(900);
  });

  it("renders nothing for no items", () => {
    expect(visibleWindow({ ...base, count: 0, scrollTop: 0 })).toEqual({
      start: 0,
      end: 0,
      offsetTop: 0,
      totalHeight: 0,
    });
  });
});

describe("scrollToRow", () => {
  it.each([
    [0, 0, null], // visible
    [3, 0, null], // last fully visible row (300..400 within 0..450)
    [4, 0, 50], // partly hidden below: scroll so it ends at the bottom
    [2, 500, 200], // above: scroll to its top
  ])("row %d at scroll %d scrolls to %s", (row, scrollTop, expected) => {
    expect(scrollToRow(row, 100, scrollTop, 450)).toBe(expected);
  });
});

describe("firstVisibleIndex", () => {
  const base = { count: 1000, columns: 4, rowHeight: 100 };

  it.each([
    [0, 0], // the top
    [49, 0], // the first row still mostly shows
    [50, 4], // half of it gone: the next row
    [1000, 40], // row 10
    [1e9, 996], // past the end: the last row
  ])("at scroll %d starts at item %d", (scrollTop, index) => {
    expect(firstVisibleIndex({ ...base, scrollTop })).toBe(index);
  });

  it("is 0 for no items", () => {
    expect(firstVisibleIndex({ ...base, count: 0, scrollTop: 500 })).toBe(0);
  });
});

describe("tabStop", () => {
  const rendered = { start: 36, end: 64 };

  it("stays on the active item while it is rendered", () => {
    expect(tabStop(40, rendered, 44)).toBe(40);
    expect(tabStop(36, rendered, 44)).toBe(36);
    expect(tabStop(63, rendered, 44)).toBe(63);
  });

  it.each([
    [0, 44], // scrolled away above: the first item on screen
    [64, 44], // just past the rendered rows
    [999, 44], // far below
  ])("moves from active item %d, not rendered, to item %d on screen", (active, stop) => {
    expect(tabStop(active, rendered, 44)).toBe(stop);
  });

  it("keeps the stop inside what is rendered", () => {
    expect(tabStop(0, rendered, 10)).toBe(36);
    expect(tabStop(0, rendered, 90)).toBe(63);
  });

  it("is -1 when nothing is rendered", () => {
    expect(tabStop(0, { start: 0, end: 0 }, 0)).toBe(-1);
  });
});
