/** One game in the library grid: cover, title, size and genre, status, peers, one action. */

import { type Component, Show } from "solid-js";

import type { GameInfo } from "../../../api";
import { Cover } from "../../../components/Cover";
import { Icon, type IconName } from "../../../components/Icon";
import { ProgressBar } from "../../../components/ProgressBar";
import { t } from "../../../i18n";
import { formatBytes } from "../../../lib/format";
import type { Action, GameStatus, Primary } from "../../../lib/games";
import type { Activity } from "../../../lib/library";
import { primaryLabel, progressText, progressValue, statusLabel } from "../labels";

const ACTION_ICONS: Record<Primary["label"], IconName> = {
  play: "play",
  install: "install",
  update: "update",
  download: "download",
  cancel: "cancel",
  installing: "install",
  "no-peer": "users",
};

export const GameCard: Component<{
  game: GameInfo;
  status: GameStatus;
  primary: Primary;
  activity: Activity | undefined;
  cover: string | null | undefined;
  /** The grid's tab stop. */
  active: boolean;
  onOpen: () => void;
  onAction: (action: Action) => void;
}> = (props) => {
  const id = () => props.game.id;
  const busy = () => props.status === "downloading" || props.status === "installing";
  return (
    <article
      class={`card card--${props.status}`}
      data-testid={`game-card-${id()}`}
      data-grid-item
      tabIndex={props.active ? 0 : -1}
      aria-label={`${props.game.title}, ${statusLabel(props.status)}`}
      onClick={() => props.onOpen()}
      onKeyDown={(e) => {
        if (e.target === e.currentTarget && (e.key === "Enter" || e.key === " ")) {
          e.preventDefault();
          props.onOpen();
        }
      }}
    >
      <div class="card__media">
        <Cover id={id()} title={props.game.title} src={props.cover} class="card__cover" />
        <span class={`chip chip--${props.status} card__status`} data-testid={`game-status-${id()}`}>
          {statusLabel(props.status)}
        </span>
        <span
          class="chip chip--peers card__peers"
          classList={{ "chip--none": props.game.peers === 0 }}
          title={t("card.peers", { count: props.game.peers })}
        >
          <Icon name="users" />
          <span aria-hidden="true">{props.game.peers}</span>
          <span class="sr-only">{t("card.peers", { count: props.game.peers })}</span>
        </span>
      </div>
      <div class="card__body">
        <h3 class="card__title" title={props.game.title}>
          {props.game.title}
        </h3>
        <Show
          when={busy()}
          fallback={
            <p class="card__meta">
              <span>{formatBytes(props.game.size)}</span>
              <Show when={props.game.genre}>
                <span class="card__dot" aria-hidden="true">
                  ·
                </span>
                <span class="card__genre">{props.game.genre}</span>
              </Show>
            </p>
          }
        >
          <p class="card__meta card__meta--progress">{progressText(props.activity)}</p>
        </Show>
        <div class="card__progress-slot">
          <Show when={busy()}>
            <ProgressBar
              value={progressValue(props.activity)}
              label={statusLabel(props.status)}
              tone={props.status === "installing" ? "install" : "download"}
              testid={`game-progress-${id()}`}
            />
          </Show>
        </div>
        <button
          type="button"
          class={`btn card__action btn--${props.primary.label}`}
          classList={{ "btn--busy": props.primary.busy }}
          data-testid={`game-action-${id()}`}
          tabIndex={props.active ? 0 : -1}
          disabled={props.primary.action === null || props.primary.busy}
          aria-busy={props.primary.busy}
          onClick={(e) => {
            e.stopPropagation();
            if (props.primary.action) props.onAction(props.primary.action);
          }}
        >
          <Icon name={ACTION_ICONS[props.primary.label]} />
          <span>{primaryLabel(props.primary.label)}</span>
        </button>
      </div>
    </article>
  );
};

/** A card's shape while the library loads. */
export const GameCardSkeleton: Component = () => (
  <div class="card card--skeleton" aria-hidden="true">
    <div class="card__media skeleton" />
    <div class="card__body">
      <div class="skeleton skeleton--line" />
      <div class="skeleton skeleton--line skeleton--short" />
      <div class="card__progress-slot" />
      <div class="skeleton skeleton--button" />
    </div>
  </div>
);
