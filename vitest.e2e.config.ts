import { defineConfig } from "vitest/config";

// The end-to-end test of the real app window (e2e/), run by `just e2e` under Xvfb; `npm test`
// (vite.config.ts) never picks it up.
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    environment: "node",
    testTimeout: 300_000,
    hookTimeout: 180_000,
    // One app window at a time.
    fileParallelism: false,
  },
});
