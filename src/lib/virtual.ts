/**
 * Which rows of a grid of equal-height rows are on screen, so only those are rendered: the
 * library stays smooth with thousands of games. Pure arithmetic over the scroll position.
 */

export interface GridMetrics {
  columns: number;
  /** Width of one item in pixels. */
  itemWidth: number;
  /** Height of one row (item plus gap) in pixels. */
  rowHeight: number;
}

/** How many columns of at least `minItemWidth` fit into `width`, with `gap` between them. */
export function gridMetrics(
  width: number,
  minItemWidth: number,
  gap: number,
  itemHeight: (itemWidth: number) => number,
): GridMetrics {
  const usable = Math.max(width, minItemWidth);
  const columns = Math.max(1, Math.floor((usable + gap) / (minItemWidth + gap)));
  const itemWidth = (usable - gap * (columns - 1)) / columns;
  return { columns, itemWidth, rowHeight: Math.ceil(itemHeight(itemWidth)) + gap };
}

export interface VisibleWindow {
  /** First and one-past-last item index to render. */
  start: number;
  end: number;
  /** Offset of the first rendered row from the top of the content. */
  offsetTop: number;
  /** Height of all rows together, so the scrollbar is right. */
  totalHeight: number;
}

export function visibleWindow(options: {
  count: number;
  columns: number;
  rowHeight: number;
  scrollTop: number;
  viewportHeight: number;
  /** Extra rows rendered above and below, so fast scrolling shows no gaps. */
  overscan: number;
}): VisibleWindow {
  const { count, columns, rowHeight, scrollTop, viewportHeight, overscan } = options;
  const rows = Math.ceil(count / columns);
  const totalHeight = rows * rowHeight;
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, offsetTop: 0, totalHeight };
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, totalHeight - viewportHeight));
  const firstRow = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const lastRow = Math.min(rows, Math.ceil((top + Math.max(0, viewportHeight)) / rowHeight) + overscan);
  return {
    start: firstRow * columns,
    end: Math.min(count, lastRow * columns),
    offsetTop: firstRow * rowHeight,
    totalHeight,
  };
}

/** The scroll position that brings row `row` fully into view, or null if it already is. */
export function scrollToRow(
  row: number,
  rowHeight: number,
  scrollTop: number,
  viewportHeight: number,
): number | null {
  const top = row * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return null;
}
