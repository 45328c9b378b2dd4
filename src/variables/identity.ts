import type { BuildPlan, RepositoryRef } from "../domain/trigger.js";
import type { IdentityName } from "../domain/variable-names.js";

/** The identity variables of a build; BASE_BRANCH and PR_NUMBER only for pull requests (the plan has them). */
export type IdentityVariables = Record<Exclude<IdentityName, "BASE_BRANCH" | "PR_NUMBER">, string> & Partial<Record<"BASE_BRANCH" | "PR_NUMBER", string>>;

/** What the app tells every build about itself (SPEC 3, layer 5). */
export function identityVariables(input: { repository: RepositoryRef; plan: BuildPlan; deploymentId: string }): IdentityVariables {
  const { repository, plan, deploymentId } = input;
  return {
    PROJECT_ID: repository.fullName,
    REPO_URL: repository.cloneUrl,
    COMMIT_SHA: plan.sha,
    BRANCH: plan.branch,
    ...(plan.baseBranch === undefined ? {} : { BASE_BRANCH: plan.baseBranch }),
    ...(plan.pullRequestNumber === undefined ? {} : { PR_NUMBER: String(plan.pullRequestNumber) }),
    ENVIRONMENT: plan.environment,
    DEPLOYMENT_ID: deploymentId,
  };
}
