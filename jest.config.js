/** @type {import('jest').Config} */
export default {
  preset: "ts-jest/presets/default-esm",
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  setupFiles: ["<rootDir>/test/setup/environment.ts"],
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
