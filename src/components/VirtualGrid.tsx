/**
 * A grid that renders only the rows on screen (plus a few), so thousands of items scroll
 * smoothly. Items share one height, derived from their width. Exactly one rendered item is the
 * grid's tab stop (a roving tabindex): the last one focused while it is rendered, else the first
 * on screen. Arrow keys, Home, End, Page Up and Page Down move between items, scrolling the
 * target into view and rendering it first. Each item marks its focus target with
 * `data-grid-item`.
 */

import { createMemo, createSignal, For, type JSX, onCleanup, onMount } from "solid-js";

import { firstVisibleIndex, gridMetrics, scrollToRow, tabStop, visibleWindow } from "../lib/virtual";

export interface GridItemContext {
  index: () => number;
  /** This item is the grid's tab stop: its focus target takes tabindex 0, every other -1. */
  active: () => boolean;
}

export function VirtualGrid<T>(props: {
  items: readonly T[];
  minItemWidth: number;
  gap: number;
  padding: number;
  itemHeight: (width: number) => number;
  label: string;
  overscan?: number;
  /** Assumed until the container has been measured, and where there is no layout (tests). */
  initialSize?: { width: number; height: number };
  children: (item: T, context: GridItemContext) => JSX.Element;
}): JSX.Element {
  let scroller!: HTMLDivElement;
  const [size, setSize] = createSignal(props.initialSize ?? { width: 1280, height: 800 });
  const [scrollTop, setScrollTop] = createSignal(0);
  const [activeIndex, setActiveIndex] = createSignal(0);

  const measure = () => {
    const width = scroller.clientWidth;
    const height = scroller.clientHeight;
    if (width > 0 && height > 0) setSize({ width, height });
  };

  onMount(() => {
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(scroller);
    onCleanup(() => observer.disconnect());
  });

  const metrics = createMemo(() =>
    gridMetrics(size().width - 2 * props.padding, props.minItemWidth, props.gap, props.itemHeight),
  );
  const win = createMemo(() =>
    visibleWindow({
      count: props.items.length,
      columns: metrics().columns,
      rowHeight: metrics().rowHeight,
      scrollTop: scrollTop() - props.padding,
      viewportHeight: size().height,
      overscan: props.overscan ?? 2,
    }),
  );
  const visible = createMemo(() => props.items.slice(win().start, win().end));
  const active = () => Math.max(0, Math.min(activeIndex(), props.items.length - 1));
  const stop = createMemo(() =>
    tabStop(
      active(),
      win(),
      firstVisibleIndex({
        count: props.items.length,
        columns: metrics().columns,
        rowHeight: metrics().rowHeight,
        scrollTop: scrollTop() - props.padding,
      }),
    ),
  );

  const itemAt = (index: number) =>
    scroller.querySelector<HTMLElement>(`[data-vindex="${index}"] [data-grid-item]`);

  const focusItem = (index: number) => {
    const next = Math.max(0, Math.min(index, props.items.length - 1));
    setActiveIndex(next);
    const { columns, rowHeight } = metrics();
    const target = scrollToRow(
      Math.floor(next / columns),
      rowHeight,
      scroller.scrollTop - props.padding,
      size().height,
    );
    if (target !== null) {
      // Rows start below the top padding; the first row scrolls back to show it.
      scroller.scrollTop = target === 0 ? 0 : target + props.padding;
      setScrollTop(scroller.scrollTop);
    }
    // Solid renders the new window as the scroll position is set; should an update ever be
    // deferred (a batch), the item is there once it has run.
    const item = itemAt(next);
    if (item) item.focus();
    else queueMicrotask(() => itemAt(next)?.focus());
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement;
    if (!target.hasAttribute("data-grid-item")) return;
    const { columns } = metrics();
    const page = Math.max(1, Math.floor(size().height / metrics().rowHeight)) * columns;
    const moves: Record<string, number> = {
      ArrowLeft: -1,
      ArrowRight: 1,
      ArrowUp: -columns,
      ArrowDown: columns,
      PageUp: -page,
      PageDown: page,
      Home: -Infinity,
      End: Infinity,
    };
    const move = moves[e.key];
    if (move === undefined) return;
    e.preventDefault();
    const cell = target.closest<HTMLElement>("[data-vindex]");
    const from = cell ? Number(cell.dataset.vindex) : active();
    focusItem(move === -Infinity ? 0 : move === Infinity ? props.items.length - 1 : from + move);
  };

  return (
    <div
      ref={scroller}
      class="vgrid"
      onScroll={() => setScrollTop(scroller.scrollTop)}
    >
      <div class="vgrid__spacer" style={{ height: `${win().totalHeight + 2 * props.padding}px` }}>
        <div
          class="vgrid__rows"
          role="list"
          aria-label={props.label}
          onKeyDown={onKeyDown}
          onFocusIn={(e) => {
            const cell = (e.target as HTMLElement).closest<HTMLElement>("[data-vindex]");
            if (cell) setActiveIndex(Number(cell.dataset.vindex));
          }}
          style={{
            transform: `translateY(${win().offsetTop + props.padding}px)`,
            left: `${props.padding}px`,
            right: `${props.padding}px`,
            gap: `${props.gap}px`,
            "grid-template-columns": `repeat(${metrics().columns}, minmax(0, 1fr))`,
            "grid-auto-rows": `${metrics().rowHeight - props.gap}px`,
          }}
        >
          <For each={visible()}>
            {(item, i) => {
              const index = () => win().start + i();
              return (
                <div
                  class="vgrid__cell"
                  role="listitem"
                  data-vindex={index()}
                  aria-posinset={index() + 1}
                  aria-setsize={props.items.length}
                >
                  {props.children(item, { index, active: () => index() === stop() })}
                </div>
              );
            }}
          </For>
        </div>
      </div>
    </div>
  );
}
