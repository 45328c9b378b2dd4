import { codeSpan, escapeMarkdown } from "../../../checks/markdown.js";
import type { EditProblem } from "../../variables/editor.js";

/** The editor's problems in a reply: the name each concerns, never a value. */
export function editProblems(problems: EditProblem[], names: string[]): string {
  return problems
    .map((p) => {
      const index = typeof p.path[0] === "number" ? p.path[0] : undefined;
      const name = index !== undefined ? names[index] : undefined;
      return `- ${name ? `${codeSpan(name)}: ` : ""}${escapeMarkdown(p.message)}`;
    })
    .join("\n");
}
