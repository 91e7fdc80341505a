import type { Component } from "solid-js";

/** The Lanparty mark: three peers joined directly, with no hub in the middle. */
const Mark: Component = () => (
  <svg class="placeholder__mark" viewBox="0 0 64 64" aria-hidden="true">
    <rect width="64" height="64" rx="14" class="placeholder__mark-tile" />
    <g class="placeholder__mark-links">
      <line x1="32" y1="17" x2="18" y2="43" />
      <line x1="32" y1="17" x2="46" y2="43" />
      <line x1="18" y1="43" x2="46" y2="43" />
    </g>
    <g class="placeholder__mark-peers">
      <circle cx="32" cy="17" r="6" />
      <circle cx="18" cy="43" r="6" />
      <circle cx="46" cy="43" r="6" />
    </g>
  </svg>
);

const App: Component = () => (
  <main class="placeholder">
    <Mark />
    <h1 class="placeholder__title">Lanparty</h1>
    <p class="placeholder__lede">
      Share and play games with everyone on your LAN — no server, no internet.
    </p>
    <p class="placeholder__note">
      The launcher is being built on top of the headless peer runtime.
    </p>
  </main>
);

export default App;
