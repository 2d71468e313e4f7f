import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** What the host app brings (peerDependencies): left as imports, so the host has one copy of each. */
const PEERS = [
  /^react($|\/)/,
  /^react-dom($|\/)/,
  /^react-router($|\/)/,
  /^@tanstack\/react-query($|\/)/,
  /^@mantine\//,
  /^firebase($|\/)/,
  /^recharts($|\/)/,
];

/** The package's build: ES modules under lib/ (the type declarations come from tsconfig.lib.json). */
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "lib",
    emptyOutDir: true,
    sourcemap: false,
    minify: false,
    lib: { entry: "src/index.ts", formats: ["es"], fileName: "index" },
    rollupOptions: { external: (id) => PEERS.some((p) => p.test(id)) },
  },
});
