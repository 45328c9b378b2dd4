import type { ApplicationFunction } from "probot";
import { CodeBuildRunner } from "./adapters/aws/codebuild.js";
import { MemoryBuildRecordStore } from "./adapters/memory/records.js";
import { processTrigger } from "./builds/process.js";
import { BuildWatcher } from "./builds/watcher.js";
import type { Dependencies } from "./dependencies.js";
import { healthHandler } from "./http/health.js";
import { registerBuildEvents } from "./handlers/build-events.js";
import { OwnerPolicy } from "./intake/owners.js";
import { IntakeQueue } from "./intake/queue.js";
import type { Settings } from "./settings.js";

/** The running app's parts that outlive a request, for shutdown and tests. */
export interface AppHandle {
  intake: IntakeQueue;
  watcher: BuildWatcher;
  stop(): Promise<void>;
}

/** The Probot application: wires adapters to handlers; the logic lives elsewhere. */
export function codebuildChecks(settings: Settings, started: (handle: AppHandle) => void): ApplicationFunction {
  return (app, { addHandler }) => {
    const deps: Dependencies = {
      settings,
      runner: new CodeBuildRunner(),
      records: new MemoryBuildRecordStore(),
      github: (installationId) => app.auth(installationId),
      log: app.log,
    };
    const intake = new IntakeQueue((trigger) => processTrigger(trigger, deps), app.log);
    const watcher = new BuildWatcher(deps);
    registerBuildEvents(app, intake, new OwnerPolicy(settings.allowedOwners, app));
    addHandler(healthHandler(async () => undefined));
    watcher.start();
    started({
      intake,
      watcher,
      async stop() {
        await intake.drained();
        await watcher.stop();
      },
    });
  };
}
