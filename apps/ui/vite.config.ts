import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * Builds the UI into dist/ for `tidemark api-server`, which serves it at /ui/ (see the Core REST API
 * contract, "UI hosting"). Every asset URL is relative to that base.
 */
export default defineConfig({
  base: "/ui/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    // `pnpm dev` against a running api-server: TIDEMARK_API_URL=http://127.0.0.1:8080 pnpm dev
    proxy: process.env.TIDEMARK_API_URL ? { "/api": process.env.TIDEMARK_API_URL } : undefined,
  },
});
