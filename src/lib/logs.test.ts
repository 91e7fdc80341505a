import { describe, expect, it } from "vitest";

import type { LogLine, ServerLog, UnpackRun } from "../api";
import { filterLogLines, filterTextLines, filterUnpackRuns, levelOf, newestFirst } from "./logs";

const line = (level: string, message: string, target = "lanparty_core::net"): LogLine => ({
  unix_ms: 0,
  level,
  target,
  message,
});

describe("levelOf", () => {
  it.each([
    ["ERROR", "error"],
    ["Warn", "warn"],
    ["warning", "warn"],
    [" info ", "info"],
    ["TRACE", "trace"],
    ["weird", "info"],
  ])("reads %s as %s", (raw, level) => {
    expect(levelOf(line(raw, ""))).toBe(level);
  });
});

describe("filterLogLines", () => {
  const lines = [
    line("ERROR", "cannot bind port 7878"),
    line("WARN", "peer Anna dropped"),
    line("INFO", "peer Anna joined"),
    line("DEBUG", "chunk 4 verified", "lanparty_core::transfer"),
  ];

  it("keeps the minimum level and everything more severe", () => {
    expect(filterLogLines(lines, "warn", "").map((l) => l.level)).toEqual(["ERROR", "WARN"]);
    expect(filterLogLines(lines, "trace", "")).toHaveLength(4);
  });

  it("searches message and target for every word, ignoring case", () => {
    expect(filterLogLines(lines, "trace", "anna JOINED").map((l) => l.message)).toEqual([
      "peer Anna joined",
    ]);
    expect(filterLogLines(lines, "trace", "transfer")).toHaveLength(1);
  });
});

describe("filterUnpackRuns", () => {
  const run = (game: string, status: string, stderr = ""): UnpackRun => ({
    game,
    program: "unrar",
    args: [],
    started_unix_ms: 0,
    ended_unix_ms: 0,
    exit: 0,
    status,
    stdout: "",
    stderr,
  });
  const runs = [run("quake3", "ok"), run("ut2004", "failed", "CRC error in pak0"), run("quake3", "failed")];

  it("filters by game and text", () => {
    expect(filterUnpackRuns(runs, "quake3", "")).toHaveLength(2);
    expect(filterUnpackRuns(runs, "", "crc")).toEqual([runs[1]]);
    expect(filterUnpackRuns(runs, "quake3", "failed")).toEqual([runs[2]]);
    expect(filterUnpackRuns(runs, "", "")).toHaveLength(3);
  });
});

describe("newestFirst", () => {
  const log = (game: string, modified_unix_s: number | null): ServerLog => ({
    game,
    modified_unix_s,
    text: "",
    truncated: false,
  });

  it("puts the most recently written log first and logs of unknown age last", () => {
    const sorted = newestFirst([log("q3", 100), log("ut", null), log("cs", 300), log("aoe", null), log("hl", 200)]);
    expect(sorted.map((l) => l.game)).toEqual(["cs", "hl", "q3", "aoe", "ut"]);
  });

  it("leaves its argument as it was", () => {
    const logs = [log("a", 1), log("b", 2)];
    newestFirst(logs);
    expect(logs.map((l) => l.game)).toEqual(["a", "b"]);
  });
});

describe("filterTextLines", () => {
  const text = "Server started on port 27015\r\nPlayer Jörg joined\nMap de_dust2 loaded\n";

  it("gives every line without a search, and no empty last line", () => {
    expect(filterTextLines(text, "")).toEqual([
      "Server started on port 27015",
      "Player Jörg joined",
      "Map de_dust2 loaded",
    ]);
    expect(filterTextLines("", "")).toEqual([]);
  });

  it("keeps the lines with every word, ignoring case and accents", () => {
    expect(filterTextLines(text, "JORG")).toEqual(["Player Jörg joined"]);
    expect(filterTextLines(text, "port started")).toEqual(["Server started on port 27015"]);
    expect(filterTextLines(text, "port joined")).toEqual([]);
  });
});
