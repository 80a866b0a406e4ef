/// <reference types="vitest/config" />
// Builds src/main.ts into ../annotator/static/annotator/dist/ with fixed names (app.js, app.css),
// so the Django template can include them with {% static %} and no manifest.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/static/annotator/dist/",
  publicDir: false,
  build: {
    outDir: "../annotator/static/annotator/dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    rollupOptions: {
      input: "src/main.ts",
      output: {
        entryFileNames: "app.js",
        chunkFileNames: "chunks/[name].js",
        assetFileNames: (asset) => (asset.names?.some((n) => n.endsWith(".css")) ? "app.css" : "assets/[name][extname]"),
      },
    },
  },
  worker: {
    format: "es",
    rollupOptions: { output: { entryFileNames: "[name].js" } },
  },
  test: {
    include: ["src/**/*.test.ts"],
    benchmark: { include: ["bench/**/*.bench.ts"] },
  },
});
