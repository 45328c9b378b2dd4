import type { z } from "zod";
import { commandGrammar } from "../../commands/parse.js";
import type { ParsedLine as AnyParsedLine, StoredCommand } from "../../commands/types.js";
import type { CommandModule, CommandPorts } from "./command.js";
import { build } from "./verbs/build.js";
import { cancel } from "./verbs/cancel.js";
import { envList } from "./verbs/env-list.js";
import { envSet } from "./verbs/env-set.js";
import { envUnset } from "./verbs/env-unset.js";
import { help } from "./verbs/help.js";
import { secretSet } from "./verbs/secret-set.js";

/**
 * Every slash command, in the order `/help` lists them. What the parser recognises, the usage lines
 * and `/help` are made from this list: adding a command is adding its module and a line here.
 */
export const COMMANDS = [envSet, envUnset, envList, secretSet, build, cancel, help] as const;

/** A slash command as its module's parser understood it (SPEC 6). */
export type Command = z.infer<(typeof COMMANDS)[number]["schema"]>;
export type ParsedLine = AnyParsedLine<Command>;

/** Any command's module, as the runner calls it. */
export type AnyCommandModule = CommandModule<StoredCommand, keyof CommandPorts>;

const MODULES = new Map<string, AnyCommandModule>(COMMANDS.map((module): [string, AnyCommandModule] => [module.verb, module]));

export const GRAMMAR = commandGrammar<Command>(COMMANDS);

/** SPEC 6: the slash commands of a comment, each a typed command or a usage error. */
export const parseComment = (body: string) => GRAMMAR.parseComment(body);
export const usageOf = (verb: string) => GRAMMAR.usageOf(verb);
export const helpTable = () => GRAMMAR.helpTable();

/** Each command's usage line by its verb. */
export const USAGE = Object.fromEntries(COMMANDS.map((module) => [module.verb, module.usage])) as Readonly<Record<Command["verb"], string>>;

/** The module of a verb as intake recorded it; undefined for one no module has (an intent of another version). */
export function commandModule(verb: string): AnyCommandModule | undefined {
  return MODULES.get(verb);
}
