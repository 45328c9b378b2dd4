/** One series of a Prometheus text exposition: its name, labels and value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The app's GET /metrics as it answered once, read series by series. */
export class MetricsScrape {
  private readonly samples: Sample[];

  constructor(text: string) {
    this.samples = text.split("\n").flatMap((line) => {
      const match = line.startsWith("#") ? null : SAMPLE_LINE.exec(line);
      if (!match) return [];
      const labels = Object.fromEntries([...(match[2] ?? "").matchAll(LABEL)].map((m) => [m[1]!, m[2]!]));
      return [{ name: match[1]!, labels, value: Number(match[3]) }];
    });
  }

  static async of(appUrl: string): Promise<MetricsScrape> {
    const response = await fetch(`${appUrl}/metrics`);
    if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
    return new MetricsScrape(await response.text());
  }

  /** The sum of the series named `name` whose labels include `labels`; 0 when there is none. */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
  }
}
