import { readFileSync } from "node:fs";
import { plainLogLine } from "../../../src/checks/terminal.js";

/** Where the fixtures' CodeBuild checkout is (see test/fixtures/logs/README.md). */
export const ROOT = "/codebuild/output/src1234567890/src/github.com/acme/web";

/** A captured log as CloudWatch would hand it over: one event holding every line. */
export function readLog(name: string): string {
  return readFileSync(new URL(`../../fixtures/logs/${name}`, import.meta.url), "utf8");
}

/** A captured log's lines as the parsers receive them: plain text. */
export function plainLines(name: string): string[] {
  return readLog(name).split("\n").map(plainLogLine);
}

/** Messages that several fixtures share. */
export const IMG_ELEMENT =
  "Using `<img>` could result in slower LCP and higher bandwidth. Consider using `<Image />` from `next/image` or a custom image loader to automatically optimize images. This may incur additional usage or cost from your provider. See: https://nextjs.org/docs/messages/no-img-element";
export const IMG_ALT = "img elements must have an alt prop, either with meaningful text, or an empty string for decorative images";
export const NO_LINK =
  "Do not use an `<a>` element to navigate to `/`. Use `<Link />` from `next/link` instead. See: https://nextjs.org/docs/messages/no-html-link-for-pages";
export const MISSING_CURRENCY =
  "Argument of type '{ amount: number; }' is not assignable to parameter of type 'Price'.\n  Property 'currency' is missing in type '{ amount: number; }' but required in type 'Price'.";
