/** @type {import('jest').Config} */
export default {
  preset: "ts-jest/presets/default-esm",
  testEnvironment: "node",
  // nock's interceptor leaves an object on the global scope that the next test file's nock reads: jest 30's
  // soft clean-up of globals would warn about it in every worker (test files run in workers replaced at 1 GB).
  testEnvironmentOptions: { globalsCleanup: "off" },
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  setupFiles: ["<rootDir>/test/setup/environment.ts"],
  globalSetup: "<rootDir>/test/setup/page-scripts.ts",
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: {
    "^.+\\.ts$": ["ts-jest", { useESM: true, tsconfig: "tsconfig.json", diagnostics: false }],
  },
  testTimeout: 20000,
  // Test files run in worker processes, each replaced once it holds this much: one process running
  // every file in turn (ESM modules are loaded again per file) runs out of heap.
  maxWorkers: 2,
  workerIdleMemoryLimit: "1GB",
};
