import type { CommandHandlers } from "./context.js";
import { build } from "./verbs/build.js";
import { cancel } from "./verbs/cancel.js";
import { envList } from "./verbs/env-list.js";
import { envSet } from "./verbs/env-set.js";
import { envUnset } from "./verbs/env-unset.js";
import { help } from "./verbs/help.js";
import { secretSet } from "./verbs/secret-set.js";

/** Every verb and its handler. */
export const COMMAND_HANDLERS: CommandHandlers = {
  "env set": envSet,
  "env unset": envUnset,
  "env list": envList,
  "secret set": secretSet,
  build,
  cancel,
  help,
};
