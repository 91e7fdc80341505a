import { describe, expect, it } from "vitest";

import { ApiError, errorKind, errorMessage, unwrap } from ".";

describe("unwrap", () => {
  it("answers the data of an ok result", async () => {
    await expect(unwrap(Promise.resolve({ status: "ok" as const, data: 42 }))).resolves.toBe(42);
  });

  it("throws the AppError of an error result as an ApiError", async () => {
    const answer = Promise.resolve({
      status: "error" as const,
      error: { kind: "NoGameFolder", message: "choose a game folder first" },
    });
    const error = await unwrap(answer).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ kind: "NoGameFolder", message: "choose a game folder first" });
  });

  it("passes the value of an infallible command through", async () => {
    await expect(unwrap(Promise.resolve("0.1.0"))).resolves.toBe("0.1.0");
  });
});

describe("error helpers", () => {
  it.each([
    [new ApiError("Peer", "peer 10.0.0.2:7878 did not answer"), "Peer", "peer 10.0.0.2:7878 did not answer"],
    [{ kind: "Io", message: "disk full" }, "Io", "disk full"],
    ["plain text", "Unknown", "plain text"],
    [new Error("boom"), "Unknown", "boom"],
    [42, "Unknown", "42"],
  ])("read %s", (error, kind, message) => {
    expect(errorKind(error)).toBe(kind);
    expect(errorMessage(error)).toBe(message);
  });
});
