import { describe, expect, it } from "vitest";

import { t } from "../i18n";
import { noticeFor } from "./notices";

/** A problem the UI has no words for: the runtime's English `reason` is shown. */
const UNWORDED = { code: "test.unworded", args: {} };

const titleOf = (id: string) => ({ q3: "Quake III" })[id] ?? id;

describe("noticeFor", () => {
  it("says what failed and keeps the runtime's advice", () => {
    expect(
      noticeFor({ type: "download-failed", game: "q3", reason: "every peer left", problem: UNWORDED, resumable: true }, titleOf, t),
    ).toEqual({
      tone: "error",
      title: "Download of Quake III failed",
      message: "every peer left\nDownload again to continue where it stopped.",
    });
    expect(noticeFor({ type: "install-failed", game: "q3", reason: "disk full", problem: UNWORDED }, titleOf, t)).toMatchObject({
      tone: "error",
      title: "Installing Quake III failed",
      message: "disk full",
    });
  });

  it("passes warnings through and reports finished downloads with their numbers", () => {
    expect(noticeFor({ type: "warning", message: "port taken" }, titleOf, t)).toEqual({
      tone: "warning",
      title: null,
      message: "port taken",
    });
    expect(
      noticeFor(
        {
          type: "download-finished",
          game: "q3",
          version: "1",
          update: false,
          bytes: 2 * 1024 ** 3,
          bytes_total: 2 * 1024 ** 3,
          resumed_bytes: 0,
          seconds: 20,
          mib_per_s: 102.4,
          peers: [],
        },
        titleOf,
        t,
      ),
    ).toEqual({ tone: "success", title: "Quake III downloaded", message: "2.0 GiB in 20 s (102.4 MiB/s)" });
  });

  it("stays quiet about progress", () => {
    expect(
      noticeFor({ type: "install-progress", game: "q3", bytes_done: 1, bytes_total: 2 }, titleOf, t),
    ).toBeNull();
  });
});
