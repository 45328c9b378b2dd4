import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";
import { layerRules } from "./eslint.layers.js";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
    },
  },
  {
    // The pages' scripts run in the browser: its globals, and nothing of the server's (they are served alone, beside libsodium).
    files: ["src/browser/**/*.{ts,mts}"],
    languageOptions: { globals: globals.browser },
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(?!\\./[^/]+$)",
              message: "A page's script imports only files served beside it (src/browser/): the server's code and Node.js are not in the browser.",
            },
          ],
        },
      ],
    },
  },
  {
    // Webhook payloads in tests are GitHub's example JSON, changed field by field.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  // Which way imports run between the layers of src/ (docs/architecture.md).
  layerRules,
  // Layout is Prettier's (npm run format); ESLint keeps to what code means.
  prettier,
);
