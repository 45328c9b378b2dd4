import { describePath, type ConfigProblem } from "../config/parse.js";
import { CONFIG_PATH } from "../config/schema.js";
import type { CheckAnnotation } from "./annotation.js";
import { codeSpan, escapeMarkdown } from "./markdown.js";
import { CHECK_OUTPUT_MAX_BYTES, utf8Length } from "./output-size.js";

export const CONFIG_PROBLEMS_TITLE = "Invalid .github/codebuild.yml";

/**
 * The values a problem's message quotes: JSON string literals (see ConfigProblem). Linear: its two
 * alternatives never take the same character, and the app writes those literals with JSON.stringify,
 * so every quote is closed and each match starts where the last one ended.
 */
const QUOTED_VALUE = /"(?:[^"\\]|\\.)*"/g;

/** The output of a check run that did not build because the configuration is invalid (SPEC 2). */
export function renderConfigProblems(problems: ConfigProblem[]): {
  title: typeof CONFIG_PROBLEMS_TITLE;
  summary: string;
  annotations: CheckAnnotation[];
} {
  return { title: CONFIG_PROBLEMS_TITLE, summary: renderSummary(problems), annotations: problems.flatMap(toAnnotation) };
}

function renderSummary(problems: ConfigProblem[]): string {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  const head = `No build was started: the configuration has ${count}. Fix ${problems.length === 1 ? "it" : "them"} in ${codeSpan(CONFIG_PATH)} and push again.\n`;
  const items = problems.map((problem) => `\n${renderItem(problem)}`);
  let summary = head;
  for (const [index, item] of items.entries()) {
    const omitted = `\n- … and ${items.length - index} more`;
    // Keep room for the note about the problems left out, unless this is the last one.
    const reserve = index < items.length - 1 ? utf8Length(omitted) : 0;
    if (utf8Length(summary) + utf8Length(item) + reserve > CHECK_OUTPUT_MAX_BYTES) return summary + omitted;
    summary += item;
  }
  return summary;
}

function renderItem(problem: ConfigProblem): string {
  const where = problem.line === undefined ? "" : `line ${problem.line}: `;
  return `- ${where}${renderMessage(problem)}`;
}

/** The message as markdown: its key and the values it quotes in code spans, everything else inert. */
function renderMessage(problem: ConfigProblem): string {
  const key = leadingKey(problem);
  const rest = problem.message.slice(key.length);
  const parts: string[] = key === "" ? [] : [codeSpan(key)];
  let last = 0;
  for (const match of rest.matchAll(QUOTED_VALUE)) {
    parts.push(escapeMarkdown(rest.slice(last, match.index)), codeSpan(match[0].slice(1, -1)));
    last = match.index + match[0].length;
  }
  parts.push(escapeMarkdown(rest.slice(last)));
  return parts.join("");
}

/** The longest key on the problem's path that the message starts with, such as `env` or `on.push`. */
function leadingKey(problem: ConfigProblem): string {
  for (let length = problem.path.length; length > 0; length--) {
    const key = describePath(problem.path.slice(0, length));
    if (problem.message.startsWith(key) && !/^[\w.[\]-]/.test(problem.message.slice(key.length))) return key;
  }
  return "";
}

function toAnnotation(problem: ConfigProblem): CheckAnnotation[] {
  if (problem.line === undefined) return [];
  const endLine = problem.endLine ?? problem.line;
  const columns =
    endLine === problem.line && problem.column !== undefined ? { start_column: problem.column, end_column: problem.endColumn ?? problem.column } : {};
  return [
    {
      path: CONFIG_PATH,
      start_line: problem.line,
      end_line: endLine,
      ...columns,
      annotation_level: "failure",
      message: problem.message,
      ...(problem.path.length > 0 && { title: describePath(problem.path) }),
    },
  ];
}
