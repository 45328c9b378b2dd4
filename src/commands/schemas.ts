import { z } from "zod";
import { ENVIRONMENT_NAMES } from "../domain/environment.js";
import type { SameShape } from "../lib/stored-data.js";
import type { Assignment } from "./types.js";

/** The pieces commands' schemas are made of, for reading their typed forms back from the table. */

export const scopeSchema = z.enum(["all", ...ENVIRONMENT_NAMES]);

export const assignmentSchema = z.object({ name: z.string(), value: z.string(), writtenPlain: z.boolean().optional() });

const _assignment: SameShape<z.infer<typeof assignmentSchema>, Assignment> = true;
