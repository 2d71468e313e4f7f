/** Unit tests run without emulators; integration tests run inside `firebase emulators:exec`. */
const tsJest = { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: false }] };

module.exports = {
  testSequencer: "<rootDir>/test/integration/helpers/sequencer.js",
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      transform: tsJest,
      testMatch: ["<rootDir>/test/unit/**/*.test.ts"],
    },
    {
      displayName: "integration",
      testEnvironment: "node",
      transform: tsJest,
      testMatch: ["<rootDir>/test/integration/**/*.test.ts"],
      setupFilesAfterEnv: ["<rootDir>/test/integration/helpers/setup.ts"],
    },
  ],
};
