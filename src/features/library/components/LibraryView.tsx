/** The library: search, filters and sort above a virtualised grid of game cards. */

import { type Component, createEffect, createMemo, For, Index, Match, Switch } from "solid-js";

import { Field } from "../../../components/Field";
import { Icon } from "../../../components/Icon";
import { VirtualGrid } from "../../../components/VirtualGrid";
import { useApp } from "../../../context";
import { t } from "../../../i18n";
import { FILTERS, type Filter, primaryAction, SORTS, type Sort } from "../../../lib/games";
import { GameCard, GameCardSkeleton } from "./GameCard";

/** Card geometry: a 16:9 cover over a body of fixed height. */
export const CARD_MIN_WIDTH = 210;
export const CARD_GAP = 18;
export const GRID_PADDING = 24;
const CARD_BODY_HEIGHT = 118;
export const cardHeight = (width: number) => Math.round((width * 9) / 16) + CARD_BODY_HEIGHT;

export const LibraryView: Component<{ initialSize?: { width: number; height: number } }> = (props) => {
  const { library, setView } = useApp();
  const total = createMemo(() => library.allGames().length);

  return (
    <section class="view library" aria-labelledby="library-heading">
      <header class="toolbar">
        <h1 id="library-heading" class="toolbar__title">
          {t("nav.library")}
          <span class="toolbar__count">
            {library.shown().length === total()
              ? total()
              : t("library.countOf", { shown: library.shown().length, total: total() })}
          </span>
        </h1>
        <label class="search">
          <Icon name="search" class="search__icon" />
          <span class="sr-only">{t("library.search")}</span>
          <input
            id="library-search"
            class="search__input"
            type="search"
            data-testid="search"
            placeholder={t("library.searchPlaceholder")}
            value={library.search()}
            onInput={(e) => library.setSearch(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape" && library.search() !== "") {
                e.preventDefault();
                library.setSearch("");
              }
            }}
            autocomplete="off"
            spellcheck={false}
          />
          <kbd class="search__hint" aria-hidden="true">
            /
          </kbd>
        </label>
        <div class="segmented" role="group" aria-label={t("library.filter")}>
          <For each={FILTERS}>
            {(filter: Filter) => (
              <button
                type="button"
                class="segmented__item"
                data-testid={`filter-${filter}`}
                aria-pressed={library.filter() === filter}
                onClick={() => library.setFilter(filter)}
              >
                {t(`filter.${filter}`)}
              </button>
            )}
          </For>
        </div>
        <Field layout="inline" label={t("library.sort")}>
          {() => (
            <select
              class="select"
              data-testid="sort"
              value={library.sort()}
              onChange={(e) => library.setSort(e.currentTarget.value as Sort)}
            >
              <For each={SORTS}>{(sort) => <option value={sort}>{t(`sort.${sort}`)}</option>}</For>
            </select>
          )}
        </Field>
      </header>

      <Switch>
        <Match when={!library.state.loaded && library.loadError()}>
          {(message) => (
            <div class="empty">
              <Icon name="alert" class="empty__icon" />
              <h2 class="empty__title">{t("library.loadFailed")}</h2>
              <p class="empty__text">{message()}</p>
              <button type="button" class="btn btn--primary" onClick={() => void library.load()}>
                {t("common.retry")}
              </button>
            </div>
          )}
        </Match>
        <Match when={!library.state.loaded}>
          <div class="skeleton-grid" aria-busy="true" aria-label={t("library.loading")}>
            <Index each={Array.from({ length: 12 })}>{() => <GameCardSkeleton />}</Index>
          </div>
        </Match>
        <Match when={total() === 0}>
          <div class="empty">
            <Icon name="library" class="empty__icon" />
            <h2 class="empty__title">{t("library.emptyTitle")}</h2>
            <p class="empty__text">{t("library.emptyText")}</p>
            <button type="button" class="btn btn--ghost" onClick={() => setView("peers")}>
              <Icon name="peers" />
              {t("library.emptyPeers")}
            </button>
          </div>
        </Match>
        <Match when={library.shown().length === 0}>
          <div class="empty">
            <Icon name="search" class="empty__icon" />
            <h2 class="empty__title">{t("library.noMatchTitle")}</h2>
            <p class="empty__text">{t("library.noMatchText")}</p>
            <button
              type="button"
              class="btn btn--ghost"
              onClick={() => {
                library.setSearch("");
                library.setFilter("all");
              }}
            >
              {t("library.clearFilters")}
            </button>
          </div>
        </Match>
        <Match when={true}>
          <VirtualGrid
            items={library.shown()}
            minItemWidth={CARD_MIN_WIDTH}
            gap={CARD_GAP}
            padding={GRID_PADDING}
            itemHeight={cardHeight}
            label={t("library.gridLabel")}
            {...(props.initialSize ? { initialSize: props.initialSize } : {})}
          >
            {(game, context) => {
              createEffect(() => library.ensureCover(game.id));
              const activity = () => library.activityOf(game.id);
              const pending = () => library.pending[game.id];
              return (
                <GameCard
                  game={game}
                  status={library.statusOf(game)}
                  primary={primaryAction(game, activity(), pending())}
                  activity={activity()}
                  cover={library.covers[game.id]}
                  active={context.active()}
                  onOpen={() => library.open(game.id)}
                  onAction={(action) => void library.run(action, game.id)}
                />
              );
            }}
          </VirtualGrid>
        </Match>
      </Switch>
    </section>
  );
};
