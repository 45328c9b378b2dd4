/**
 * One annotation of a check run, with the fields GitHub's REST API takes in `output.annotations`
 * (https://docs.github.com/en/rest/checks/runs#create-a-check-run). Lines and columns are 1-based;
 * GitHub accepts columns only when the annotation starts and ends on the same line.
 */
export interface CheckAnnotation {
  /** Relative to the repository root. */
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
  raw_details?: string;
}

/**
 * "The Checks API limits the number of annotations to a maximum of 50 per API request"; further
 * annotations are appended by more update requests (GitHub REST docs, check runs: output.annotations).
 * The 65,535 limit of output.summary and output.text is CHECK_OUTPUT_MAX_BYTES in ./output-size.ts.
 */
export const CHECK_ANNOTATIONS_PER_REQUEST = 50;
