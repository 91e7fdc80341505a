import { fireEvent, render, screen } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";

import { VirtualGrid } from "./VirtualGrid";

/** 100 items in 5 columns of 100 px rows, 3 rows on screen, one row of overscan. */
const ITEMS = Array.from({ length: 100 }, (_, i) => i);

function renderGrid() {
  render(() => (
    <VirtualGrid
      items={ITEMS}
      minItemWidth={100}
      gap={0}
      padding={0}
      itemHeight={() => 100}
      label="Items"
      overscan={1}
      initialSize={{ width: 500, height: 300 }}
    >
      {(item, context) => (
        <button type="button" data-grid-item data-testid={`item-${item}`} tabIndex={context.active() ? 0 : -1}>
          {item}
        </button>
      )}
    </VirtualGrid>
  ));
  const grid = screen.getByRole("list", { name: "Items" });
  const scroller = grid.closest<HTMLElement>(".vgrid")!;
  const scrollTo = (top: number) => {
    scroller.scrollTop = top;
    fireEvent.scroll(scroller);
  };
  const tabbable = () =>
    Array.from(grid.querySelectorAll<HTMLElement>('[data-grid-item][tabindex="0"]')).map((el) => el.textContent);
  return { scroller, scrollTo, tabbable };
}

describe("VirtualGrid", () => {
  it("renders only the rows on screen and the overscan", () => {
    renderGrid();
    expect(screen.queryByTestId("item-19")).toBeTruthy();
    expect(screen.queryByTestId("item-20")).toBeNull();
  });

  it("keeps exactly one rendered item tabbable when the active one scrolls away", () => {
    const { scrollTo, tabbable } = renderGrid();
    expect(tabbable()).toEqual(["0"]);

    // Rows 15..17 on screen: item 0 is gone, and the first item on screen takes the tab stop.
    scrollTo(1500);
    expect(screen.queryByTestId("item-0")).toBeNull();
    expect(tabbable()).toEqual(["75"]);

    // Scrolled back, the active item is the tab stop again.
    scrollTo(0);
    expect(tabbable()).toEqual(["0"]);
  });

  it("makes the item focused after scrolling the tab stop, and moves on from it", () => {
    const { scrollTo, tabbable } = renderGrid();
    scrollTo(1500);
    const first = screen.getByTestId("item-75");
    first.focus();
    fireEvent.keyDown(first, { key: "ArrowRight" });
    expect(document.activeElement).toBe(screen.getByTestId("item-76"));
    expect(tabbable()).toEqual(["76"]);
  });

  it("scrolls an item outside the window in with the arrow keys and focuses it", () => {
    const { scroller, tabbable } = renderGrid();
    const start = screen.getByTestId("item-2");
    start.focus();
    for (let i = 0; i < 6; i++) fireEvent.keyDown(document.activeElement!, { key: "ArrowDown" });

    // Row 6 was not rendered when the moves began.
    expect(document.activeElement).toBe(screen.getByTestId("item-32"));
    expect(scroller.scrollTop).toBe(400); // row 6 ends at the bottom of the 300 px viewport
    expect(tabbable()).toEqual(["32"]);

    fireEvent.keyDown(document.activeElement!, { key: "End" });
    expect(document.activeElement).toBe(screen.getByTestId("item-99"));
    fireEvent.keyDown(document.activeElement!, { key: "Home" });
    expect(document.activeElement).toBe(screen.getByTestId("item-0"));
    expect(scroller.scrollTop).toBe(0);
  });

  it("ignores keys pressed inside an item", () => {
    renderGrid();
    const inner = document.createElement("input");
    screen.getByTestId("item-0").parentElement!.append(inner);
    inner.focus();
    fireEvent.keyDown(inner, { key: "ArrowDown" });
    expect(document.activeElement).toBe(inner);
  });
});
