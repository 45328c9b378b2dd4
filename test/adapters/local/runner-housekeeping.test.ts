import { mkdir, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { readBuildState, writeBuildState } from "../../../src/adapters/local/build-files.js";
import { endPhase, finishBuild, submittedBuild } from "../../../src/adapters/local/build-state.js";
import { ENDED_BUILD_RETENTION_MS } from "../../../src/adapters/local/runner.js";
import { renderTitle } from "../../../src/checks/title.js";
import { buildRequest, buildspec, localRunner, logLines, phaseSummary, repository, temporaryDirectory, waitForBuild } from "./local-build-fixtures.js";
import { processMarker, untilMarked } from "../../support/processes.js";

const WAITING = "LOCAL_CONCURRENCY=1 build runs at once on this machine";

describe("LocalRunner: LOCAL_CONCURRENCY", () => {
  test("a build beyond the cap waits in QUEUED, its title saying why, and runs once a slot is free", async () => {
    const marker = processMarker();
    const slow = await repository({ "buildspec.yml": buildspec({ build: [`(exec -a ${marker} sleep 30)`] }) });
    const quick = await repository({ "buildspec.yml": buildspec({ build: ["echo quick"] }) });
    const { runner, dataDir } = await localRunner({ concurrency: 1 });
    const first = await runner.start(buildRequest(slow));
    await untilMarked(marker, 1);
    const second = await runner.start(buildRequest(quick));

    const [waiting] = await runner.get([second.id]);
    expect(waiting).toMatchObject({ status: "IN_PROGRESS", currentPhase: "QUEUED" });
    expect(phaseSummary(waiting!)).toEqual(["SUBMITTED SUCCEEDED", "QUEUED IN_PROGRESS"]);
    expect(renderTitle(waiting!, { now: new Date() })).toBe(`Queued — ${WAITING}`);
    for (let tries = 0; tries < 100 && (await logLines(dataDir, second.id)).length === 0; tries++) await sleep(20);
    expect(await logLines(dataDir, second.id)).toEqual([expect.stringMatching(new RegExp(`Waiting for a free build slot: ${WAITING}$`))]);

    await runner.stop(first.id);
    const ran = await waitForBuild(runner, second.id);
    expect(ran.status).toBe("SUCCEEDED");
    expect(phaseSummary(ran).slice(0, 3)).toEqual(["SUBMITTED SUCCEEDED", "QUEUED SUCCEEDED", "DOWNLOAD_SOURCE SUCCEEDED"]);
    expect(ran.phases[1]!.messages).toEqual([]);
    expect(await logLines(dataDir, second.id)).toContain("quick");
  });

  test("builds wait their turn in the order they came; a queued build that is stopped never runs", async () => {
    const marker = processMarker();
    const slow = await repository({ "buildspec.yml": buildspec({ build: [`(exec -a ${marker} sleep 30)`] }) });
    const quick = await repository({ "buildspec.yml": buildspec({ build: ["echo ran"] }) });
    const { runner, dataDir } = await localRunner({ concurrency: 1 });
    const running = await runner.start(buildRequest(slow));
    await untilMarked(marker, 1);
    const stopped = await runner.start(buildRequest(quick));
    const next = await runner.start(buildRequest(quick));

    await runner.stop(stopped.id);
    const ended = await waitForBuild(runner, stopped.id);
    expect(ended.status).toBe("STOPPED");
    expect(phaseSummary(ended)).toEqual(["SUBMITTED SUCCEEDED", "QUEUED STOPPED", "COMPLETED"]);
    expect(ended.phases[1]!.messages).toEqual(["Build stopped"]);
    expect((await runner.get([next.id]))[0]!.currentPhase).toBe("QUEUED");

    await runner.stop(running.id);
    expect((await waitForBuild(runner, next.id)).status).toBe("SUCCEEDED");
    expect(await logLines(dataDir, stopped.id)).not.toContain("ran");
    expect((await logLines(dataDir, stopped.id)).some((line) => line.includes("DOWNLOAD_SOURCE"))).toBe(false);
  });

  test("close() ends queued builds too, as FAULT", async () => {
    const marker = processMarker();
    const slow = await repository({ "buildspec.yml": buildspec({ build: [`(exec -a ${marker} sleep 30)`] }) });
    const { runner } = await localRunner({ concurrency: 1 });
    const running = await runner.start(buildRequest(slow));
    await untilMarked(marker, 1);
    const queued = await runner.start(buildRequest(slow));
    await runner.close();
    const builds = await runner.get([running.id, queued.id]);
    expect(builds.map((build) => build.status)).toEqual(["FAULT", "FAULT"]);
    expect(phaseSummary(builds[1]!)).toEqual(["SUBMITTED SUCCEEDED", "QUEUED FAULT", "COMPLETED"]);
  });
});

describe("LocalRunner: what is left of builds", () => {
  const NOW = Date.parse("2025-11-26T12:00:00Z");
  const ended = (id: string, endedAt: number) => {
    const at = new Date(endedAt);
    return finishBuild(endPhase(submittedBuild(id, at), "SUCCEEDED", at), at);
  };

  test("the sweep removes ended builds' files after the retention, and what is not a build's; it ends builds an earlier run left running", async () => {
    const dataDir = await temporaryDirectory();
    const old = "local:1a1d2c3b-4a59-4e87-9d10-2b3c4d5e6f70";
    const recent = "local:2b1d2c3b-4a59-4e87-9d10-2b3c4d5e6f70";
    const orphan = "local:3c1d2c3b-4a59-4e87-9d10-2b3c4d5e6f70";
    await writeBuildState(dataDir, ended(old, NOW - ENDED_BUILD_RETENTION_MS - 1));
    await writeBuildState(dataDir, ended(recent, NOW - ENDED_BUILD_RETENTION_MS + 60_000));
    await writeBuildState(dataDir, submittedBuild(orphan, new Date(NOW - 60_000)));
    await mkdir(join(dataDir, "builds", "not-a-build"));
    await mkdir(join(dataDir, "builds", "4d1d2c3b-4a59-4e87-9d10-2b3c4d5e6f70"));
    await writeFile(join(dataDir, "builds", "4d1d2c3b-4a59-4e87-9d10-2b3c4d5e6f70", "build.json"), "{ damaged");

    const { runner } = await localRunner({ dataDir, now: () => NOW });
    await runner.sweep();
    expect((await readdir(join(dataDir, "builds"))).sort()).toEqual([recent, orphan].map((id) => id.slice("local:".length)).sort());
    expect((await readBuildState(dataDir, orphan))?.status).toBe("FAULT");
    expect(await runner.get([old])).toEqual([]);
  });

  test("a build's own directory of DATA_DIR/builds and its files are the app's alone", async () => {
    const repo = await repository({ "buildspec.yml": buildspec({ build: ["echo hi"] }) });
    const { runner, dataDir } = await localRunner();
    const { id } = await runner.start(buildRequest(repo));
    await waitForBuild(runner, id);
    const directory = join(dataDir, "builds", id.slice("local:".length));
    expect((await stat(directory)).mode & 0o777).toBe(0o700);
    expect((await stat(join(directory, "build.json"))).mode & 0o077).toBe(0);
  });
});
