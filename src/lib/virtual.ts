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

/**
 * The first item of the first row mostly on screen: a row scrolled more than half out of view
 * at the top does not count. Zero for no items.
 */
export function firstVisibleIndex(options: {
  count: number;
  columns: number;
  rowHeight: number;
  scrollTop: number;
}): number {
  const { count, columns, rowHeight, scrollTop } = options;
  if (count === 0 || rowHeight <= 0) return 0;
  const lastRow = Math.ceil(count / columns) - 1;
  const row = Math.min(lastRow, Math.max(0, Math.floor(scrollTop / rowHeight + 0.5)));
  return row * columns;
}

/**
 * The item that holds the grid's only tab stop (a roving tabindex): the active item while it is
 * rendered, else the first one on screen, so Tab always reaches the grid however far the active
 * item scrolled away. -1 when nothing is rendered.
 */
export function tabStop(active: number, rendered: { start: number; end: number }, firstVisible: number): number {
  if (rendered.end <= rendered.start) return -1;
  if (active >= rendered.start && active < rendered.end) return active;
  return Math.min(Math.max(firstVisible, rendered.start), rendered.end - 1);
}
