import { fireEvent, render, screen } from "@solidjs/testing-library";
import { createSignal } from "solid-js";
import { describe, expect, it } from "vitest";

import { Field } from "./Field";

describe("Field", () => {
  it("labels its control, describes it by the hint and, while there is one, the error", () => {
    const [error, setError] = createSignal<string | null>(null);
    render(() => (
      <Field id="folder" label="Game folder" hint="Where your games are." error={error()}>
        {(control) => <input data-testid="input" {...control} />}
      </Field>
    ));
    const input = screen.getByLabelText(/Game folder/) as HTMLInputElement;
    expect(input).toBe(screen.getByTestId("input"));
    expect(input.getAttribute("aria-describedby")).toBe("folder-hint");
    expect(document.getElementById("folder-hint")?.textContent).toBe("Where your games are.");
    expect(input.getAttribute("aria-invalid")).toBe("false");
    expect(screen.queryByRole("alert")).toBeNull();

    setError("/nope does not exist");
    expect(screen.getByRole("alert").textContent).toBe("/nope does not exist");
    expect(input.getAttribute("aria-describedby")).toBe("folder-hint folder-error");
    expect(input.getAttribute("aria-invalid")).toBe("true");
  });

  it("keeps its control while the control's value changes", () => {
    const [value, setValue] = createSignal("");
    render(() => (
      <Field id="name" label="Player name">
        {(control) => (
          <input data-testid="input" value={value()} onInput={(e) => setValue(e.currentTarget.value)} {...control} />
        )}
      </Field>
    ));
    const input = screen.getByTestId("input");
    input.focus();
    fireEvent.input(input, { target: { value: "Lars" } });
    expect(screen.getByTestId("input")).toBe(input);
    expect(document.activeElement).toBe(input);
    // No hint, and no error to expect: nothing to describe it, nothing to mark.
    expect(input.hasAttribute("aria-describedby")).toBe(false);
    expect(input.hasAttribute("aria-invalid")).toBe(false);
  });

  it("sets a short label beside the control inline", () => {
    render(() => (
      <Field layout="inline" label="Sort by" hint="not shown inline">
        {() => (
          <select data-testid="select">
            <option>Name</option>
          </select>
        )}
      </Field>
    ));
    const label = screen.getByTestId("select").closest("label");
    expect(label?.classList.contains("select-field")).toBe(true);
    expect(screen.getByLabelText("Sort by")).toBe(screen.getByTestId("select"));
    expect(screen.queryByText("not shown inline")).toBeNull();
  });
});
