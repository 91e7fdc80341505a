/** A game's cover: its image when it has one, else the generated placeholder; a shimmer while unknown. */

import { type Component, createMemo, Show } from "solid-js";

import { placeholder } from "../lib/placeholder";

export const Cover: Component<{
  id: string;
  title: string;
  /** A data URL, null for none, undefined while it is still being fetched. */
  src: string | null | undefined;
  class?: string;
}> = (props) => {
  const fallback = createMemo(() => placeholder(props.id, props.title));
  return (
    <div class={`cover ${props.class ?? ""}`}>
      <Show
        when={props.src}
        fallback={
          <div
            class="cover__placeholder"
            classList={{ "cover__placeholder--loading": props.src === undefined }}
            style={{ background: fallback().background }}
          >
            <span class="cover__initials" aria-hidden="true">
              {fallback().initials}
            </span>
          </div>
        }
      >
        {(src) => <img class="cover__image" src={src()} alt="" draggable={false} />}
      </Show>
    </div>
  );
};
