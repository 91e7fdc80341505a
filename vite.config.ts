import solid from "vite-plugin-solid";
import { defineConfig } from "vitest/config";

// The Tauri shell loads the dev server from a fixed URL (src-tauri/tauri.conf.json `devUrl`),
// so the port must fail loudly rather than silently move to the next free one.
const DEV_PORT = 1420;

export default defineConfig({
  plugins: [solid()],
  // Keep Rust compiler output visible when `tauri dev` runs Vite in the same terminal.
  clearScreen: false,
  server: {
    port: DEV_PORT,
    strictPort: true,
    watch: {
      // Rust sources and build output are Cargo's business, not Vite's.
      ignored: ["**/src-tauri/**", "**/target/**"],
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
  },
});
