import { COMMAND_DATA_ESCAPES as DATA_ESCAPES, COMMAND_PROPERTY_ESCAPES as PROPERTY_ESCAPES } from "../workflow-escapes.js";
import type { AnnotationLevel, RawAnnotation } from "./raw-annotation.js";

const LEVELS: Record<string, AnnotationLevel> = { error: "failure", warning: "warning", notice: "notice" };

/*
 * Over build output (SPEC 5: linear time): commands are read with indexOf and split, not regular
 * expressions; the escapes and the line number are regular expressions of fixed-length alternatives,
 * one try per position. What they decode (`%25`, `%0A`…) is masked afterwards, on the annotation as
 * sent (see maskedCheckOutput).
 */

interface WorkflowCommand {
  name: string;
  properties: Map<string, string>;
  data: string;
}

/**
 * GitHub's `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=T::message`, and `::warning`
 * and `::notice`, read as GitHub's runner reads them: at the start of a line after white space,
 * properties split at `,` and then at the first `=`, escapes decoded in one pass. A command without
 * `file` annotates no file and is left out.
 */
export function parseWorkflowCommands(lines: string[]): RawAnnotation[] {
  return lines.flatMap((line, logLine) => {
    const command = readCommand(line);
    const level = command && LEVELS[command.name];
    const file = command?.properties.get("file");
    if (!command || !level || !file) return [];
    const number = (name: string) => wholeNumber(command.properties.get(name));
    return [
      {
        file,
        // A command without a line annotates a whole file; a check-run annotation needs a line, so 0 drops it.
        line: number("line") ?? 0,
        column: number("col"),
        endLine: number("endLine"),
        endColumn: number("endColumn"),
        level,
        message: command.data,
        title: command.properties.get("title"),
        logLine,
      },
    ];
  });
}

function readCommand(line: string): WorkflowCommand | undefined {
  const text = line.trimStart();
  if (!text.startsWith("::")) return undefined;
  const end = text.indexOf("::", 2);
  if (end < 0) return undefined;
  const info = text.slice(2, end);
  const space = info.indexOf(" ");
  const properties = new Map<string, string>();
  if (space >= 0) {
    for (const pair of info
      .slice(space + 1)
      .trim()
      .split(",")) {
      const equals = pair.indexOf("=");
      if (equals > 0 && equals < pair.length - 1) {
        properties.set(pair.slice(0, equals), unescape(pair.slice(equals + 1), PROPERTY_ESCAPES));
      }
    }
  }
  return { name: space < 0 ? info : info.slice(0, space), properties, data: unescape(text.slice(end + 2), DATA_ESCAPES) };
}

function unescape(text: string, escapes: Record<string, string>): string {
  return text.replace(/%(?:25|0D|0A|3A|2C)/g, (escape) => escapes[escape] ?? escape);
}

function wholeNumber(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}
