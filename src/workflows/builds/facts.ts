import type { ProbotOctokit } from "probot";
import { userPermission, type Permission } from "../../adapters/github/permissions.js";
import type { PullRequestTrigger, Trigger } from "../../domain/trigger.js";

/** GitHub's compare endpoint lists at most 300 files (REST docs: "Compare two commits"). */
const COMPARE_MAX_FILES = 300;

/**
 * Files a push or pull request changed, or null when GitHub cannot say in full
 * (then `paths` filters do not apply and the commit builds, as GitHub Actions does).
 */
export async function changedFiles(octokit: ProbotOctokit, trigger: Trigger): Promise<string[] | null> {
  const { owner, name: repo } = trigger.repository;
  switch (trigger.kind) {
    case "push": {
      if (trigger.changedFiles) return trigger.changedFiles;
      const base = trigger.created ? trigger.repository.defaultBranch : trigger.before;
      const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ owner, repo, basehead: `${base}...${trigger.after}` });
      const files = data.files ?? [];
      return files.length >= COMPARE_MAX_FILES ? null : files.map((f) => f.filename);
    }
    case "pull_request": {
      const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner, repo, pull_number: trigger.number, per_page: 100 });
      return files.flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename]));
    }
    case "merge_group":
      return null;
  }
}

/** The pull request author's permission on the base repository. */
export function authorPermission(octokit: ProbotOctokit, trigger: PullRequestTrigger): Promise<Permission> {
  return userPermission(octokit, trigger.repository, trigger.author.login);
}
