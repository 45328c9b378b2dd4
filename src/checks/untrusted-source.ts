/**
 * Why CodeBuild may fail to fetch untrusted code, and what to do (SPEC 3, Trust): such builds run
 * with the untrusted role and without the app's source credentials, since a connection's token
 * reaches every repository it covers.
 */
export const UNTRUSTED_SOURCE_ADVICE =
  "This build is of untrusted code (a fork's or a bot's), so it runs with `CODEBUILD_UNTRUSTED_ROLE` and without the app's source credentials (`CODEBUILD_SOURCE_AUTH`): " +
  "a connection's token reaches every repository it covers, and the build's code could use it. CodeBuild can fetch untrusted code only with a source credential that needs no permission of the build's role, " +
  "such as a read-only token the operator imports for the account (`aws codebuild import-source-credentials`). " +
  "Until then, a maintainer who has reviewed the code can push it to a branch of this repository to build it there.";
