import { Demo } from "./demo.js";

const USAGE = `npm run demo [-- --keep]

Runs the app on this machine against a stand-in for GitHub: two pushes of a sample repository (a
green build and a red one) and a /env set comment, shown as GitHub would show their check runs.
No GitHub account, no AWS, nothing leaves this machine.

  --keep   leave the app and its log pages up until Ctrl-C`;

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h") || args.some((a) => a !== "--keep")) {
  const unknown = args.find((a) => a !== "--keep" && a !== "--help" && a !== "-h");
  console.log(unknown ? `Unknown option ${unknown}.\n\n${USAGE}` : USAGE);
  process.exit(unknown ? 2 : 0);
}

let stop: () => void = () => undefined;
const stopped = new Promise<void>((resolve) => (stop = resolve));
const demo = new Demo({ keep: args.includes("--keep"), out: process.stdout, env: process.env, stopped });
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    // While --keep waits, Ctrl-C is the way out (the run ends as it went); before that it cuts the demo short. Either way everything is cleaned up.
    if (demo.keeping) return stop();
    void demo.close().then(() => process.exit(130));
  });
}
demo.run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
