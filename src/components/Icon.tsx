/** Line icons drawn on a 24 px grid with the current text colour. Decorative: hidden from readers. */

import type { Component } from "solid-js";

const PATHS = {
  play: "M7 4.5v15l12-7.5z",
  download: "M12 3v12m0 0-4.5-4.5M12 15l4.5-4.5M4 17v2.5h16V17",
  update: "M20 12a8 8 0 1 1-2.34-5.66M20 4v4.5h-4.5",
  install: "M4 13.5 12 18l8-4.5M4 9l8-4.5L20 9l-8 4.5z",
  cancel: "M6 6l12 12M18 6 6 18",
  close: "M6 6l12 12M18 6 6 18",
  server: "M4 4.5h16v6H4zm0 9h16v6H4zM7.5 7.5h.01M7.5 16.5h.01",
  folder: "M3 6.5a1.5 1.5 0 0 1 1.5-1.5H9l2 2.5h8.5A1.5 1.5 0 0 1 21 9v9.5a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 18.5z",
  trash: "M4 7h16M9.5 7V4.5h5V7M6.5 7l1 13h9l1-13M10 11v5.5M14 11v5.5",
  uninstall: "M4 9l8-4.5L20 9l-8 4.5zM4 13.5 12 18l8-4.5M16 20.5h5",
  search: "M10.5 18a7.5 7.5 0 1 1 0-15 7.5 7.5 0 0 1 0 15zm5.3-2.2L21 21",
  library: "M4 4h7v7H4zm9 0h7v7h-7zM4 13h7v7H4zm9 0h7v7h-7z",
  downloads: "M12 3v10m0 0-4-4m4 4 4-4M4 15v4.5h16V15",
  peers: "M12 5.5a2.5 2.5 0 1 0 0-.01M5.5 17.5a2.5 2.5 0 1 0 0-.01M18.5 17.5a2.5 2.5 0 1 0 0-.01M10.8 7.6 6.7 15.4m6.5-7.8 4.1 7.8M8 18h8",
  settings:
    "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm7.4-3a7.4 7.4 0 0 0-.1-1.3l2-1.6-2-3.4-2.4.9a7.6 7.6 0 0 0-2.2-1.3L14.3 3h-4l-.4 2.3a7.6 7.6 0 0 0-2.2 1.3l-2.4-.9-2 3.4 2 1.6a7.4 7.4 0 0 0 0 2.6l-2 1.6 2 3.4 2.4-.9a7.6 7.6 0 0 0 2.2 1.3l.4 2.3h4l.4-2.3a7.6 7.6 0 0 0 2.2-1.3l2.4.9 2-3.4-2-1.6c.1-.4.1-.9.1-1.3z",
  logs: "M8 6h12M8 12h12M8 18h12M4 6h.01M4 12h.01M4 18h.01",
  check: "M5 12.5 10 17.5 19 7",
  alert: "M12 8.5v5m0 3.5h.01M10.3 3.9 2.4 18a2 2 0 0 0 1.7 3h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z",
  info: "M12 11v6m0-9.5h.01M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z",
  plus: "M12 5v14M5 12h14",
  users: "M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7zm-6 9a6 6 0 0 1 12 0M16 4.3a3.5 3.5 0 0 1 0 6.4M21 20a6 6 0 0 0-3.5-5.5",
  refresh: "M20 12a8 8 0 1 1-2.34-5.66M20 4v4.5h-4.5",
  chevron: "M9 6l6 6-6 6",
} as const;

export type IconName = keyof typeof PATHS;

export const Icon: Component<{ name: IconName; class?: string }> = (props) => (
  <svg
    class={`icon ${props.class ?? ""}`}
    viewBox="0 0 24 24"
    fill="none"
    stroke="currentColor"
    stroke-width="1.8"
    stroke-linecap="round"
    stroke-linejoin="round"
    aria-hidden="true"
  >
    <path d={PATHS[props.name]} />
  </svg>
);

/** The Lanparty mark: three peers joined directly, with no hub in the middle. */
export const Mark: Component<{ class?: string }> = (props) => (
  <svg class={`mark ${props.class ?? ""}`} viewBox="0 0 64 64" aria-hidden="true">
    <rect width="64" height="64" rx="14" class="mark__tile" />
    <g class="mark__links">
      <line x1="32" y1="17" x2="18" y2="43" />
      <line x1="32" y1="17" x2="46" y2="43" />
      <line x1="18" y1="43" x2="46" y2="43" />
    </g>
    <g class="mark__peers">
      <circle cx="32" cy="17" r="6" />
      <circle cx="18" cy="43" r="6" />
      <circle cx="46" cy="43" r="6" />
    </g>
  </svg>
);
