/**
 * Which runtime events become notifications, and with which words. Pure: the translator and the
 * game-title lookup come in as functions.
 */

import type { RuntimeEvent } from "../api";
import type { Translate } from "../i18n";
import { formatBytes, formatDuration } from "./format";
import { problemText } from "./problems";

export interface Notice {
  tone: "error" | "warning" | "success" | "info";
  title: string | null;
  message: string;
}

/** Failures whose own words already tell the player to download again to continue. */
const RESUME_SAID: ReadonlySet<string> = new Set(["download.disk-full", "download.sources-gone", "download.sources-dropped"]);

export function noticeFor(
  event: RuntimeEvent,
  titleOf: (game: string) => string,
  t: Translate,
): Notice | null {
  switch (event.type) {
    case "warning":
      return { tone: "warning", title: null, message: event.message };
    case "download-failed": {
      const reason = problemText(event.problem, t, titleOf) ?? event.reason;
      return {
        tone: "error",
        title: t("notice.downloadFailed", { title: titleOf(event.game) }),
        // The reason and our advice are separate sentences: one line each. Words that already
        // say to download again need no second telling.
        message: event.resumable && !RESUME_SAID.has(event.problem.code) ? `${reason}\n${t("notice.resumable")}` : reason,
      };
    }
    case "install-failed":
      return {
        tone: "error",
        title: t("notice.installFailed", { title: titleOf(event.game) }),
        message: problemText(event.problem, t, titleOf) ?? event.reason,
      };
    case "download-peer-dropped":
      return {
        tone: "warning",
        title: t("notice.peerDropped", { name: event.name, title: titleOf(event.game) }),
        message: event.reason,
      };
    case "download-finished":
      return {
        tone: "success",
        title: t(event.update ? "notice.updateFinished" : "notice.downloadFinished", {
          title: titleOf(event.game),
        }),
        message: t("notice.downloadStats", {
          size: formatBytes(event.bytes_total),
          time: formatDuration(event.seconds) ?? "0 s",
          speed: `${event.mib_per_s.toFixed(1)} MiB/s`,
        }),
      };
    case "install-finished":
      return {
        tone: "success",
        title: null,
        message: t(event.update ? "notice.installUpdated" : "notice.installFinished", {
          title: titleOf(event.game),
        }),
      };
    case "uninstall-finished":
      return { tone: "info", title: null, message: t("notice.uninstalled", { title: titleOf(event.game) }) };
    case "remove-finished":
      return { tone: "info", title: null, message: t("notice.removed", { title: titleOf(event.game) }) };
    default:
      return null;
  }
}
