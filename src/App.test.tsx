import { render, screen } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";

import App from "./App";

describe("App", () => {
  it("names the app in its main heading", () => {
    render(() => <App />);

    expect(screen.getByRole("heading", { level: 1, name: "Lanparty" })).toBeTruthy();
  });

  it("says what Lanparty does", () => {
    render(() => <App />);

    expect(
      screen.getByText("Share and play games with everyone on your LAN — no server, no internet."),
    ).toBeTruthy();
  });
});
