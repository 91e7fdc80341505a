/** The words for statuses, actions and progress, in the current UI language. */

import { t } from "../../i18n";
import { formatDuration, formatPercent, formatSpeed } from "../../lib/format";
import type { Action, GameStatus, Primary } from "../../lib/games";
import { type Activity, shownEta } from "../../lib/library";

export function statusLabel(status: GameStatus): string {
  return t(`status.${status}`);
}

export function primaryLabel(label: Primary["label"]): string {
  return t(`primary.${label}`);
}

export function actionLabel(action: Action, activity?: Activity): string {
  if (action === "cancel" && activity?.kind === "installing") return t("action.cancelInstall");
  return t(`action.${action}`);
}

/**
 * "42% · 12.3 MiB/s · 3 min 05 s left", or "Installing 42%". The time stays "estimating" until
 * the download has a rate worth extrapolating (`shownEta`).
 */
export function progressText(activity: Activity | undefined): string {
  if (!activity) return t("progress.starting");
  if (activity.kind === "installing") {
    return activity.bytesTotal > 0
      ? t("progress.installing", { percent: formatPercent(activity.bytesDone, activity.bytesTotal) })
      : t("progress.preparing");
  }
  const eta = formatDuration(shownEta(activity));
  return [
    formatPercent(activity.bytesDone, activity.bytesTotal),
    formatSpeed(activity.bytesPerS),
    eta === null ? t("progress.estimating") : t("progress.left", { time: eta }),
  ].join(" · ");
}

/** 0..100, or null while the total is not known yet. */
export function progressValue(activity: Activity | undefined): number | null {
  if (!activity || activity.bytesTotal <= 0) return null;
  return Math.min(100, (activity.bytesDone / activity.bytesTotal) * 100);
}
