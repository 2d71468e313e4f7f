import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Unit and component tests: jsdom, no emulators.
export default defineConfig({
  plugins: [react()],
  test: { environment: "jsdom", include: ["test/**/*.test.{ts,tsx}"], setupFiles: ["test/setup.ts"] },
});
