/**
 * Which runtime events become notifications, and with which words. Pure: the translator and the
 * game-title lookup come in as functions.
 */

import type { RuntimeEvent } from "../api";
import type { Translate } from "../i18n";
import { formatBytes, formatDuration } from "./format";

export interface Notice {
  tone: "error" | "warning" | "success" | "info";
  title: string | null;
  message: string;
}

export function noticeFor(
  event: RuntimeEvent,
  titleOf: (game: string) => string,
  t: Translate,
): Notice | null {
  switch (event.type) {
    case "warning":
      return { tone: "warning", title: null, message: event.message };
    case "download-failed":
      return {
        tone: "error",
        title: t("notice.downloadFailed", { title: titleOf(event.game) }),
        // The runtime's reason and our advice are separate sentences: one line each.
        message: event.resumable ? `${event.reason}\n${t("notice.resumable")}` : event.reason,
      };
    case "install-failed":
      return {
        tone: "error",
        title: t("notice.installFailed", { title: titleOf(event.game) }),
        message: event.reason,
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
