import type { Probot } from "probot";

/**
 * Which account's installations the app serves (ALLOWED_OWNERS). By default only
 * the app's own owner: a stranger must never run builds in the operator's account.
 */
export class OwnerPolicy {
  private appOwner: Promise<string> | undefined;

  constructor(
    private readonly allowed: string[] | undefined,
    private readonly app: Probot,
  ) {}

  async allows(login: string): Promise<boolean> {
    const allowed = this.allowed ?? [await this.owner()];
    return allowed.some((a) => a === "*" || a.toLowerCase() === login.toLowerCase());
  }

  private owner(): Promise<string> {
    this.appOwner ??= this.app
      .auth()
      .then((octokit) => octokit.rest.apps.getAuthenticated())
      .then(({ data }) => {
        const login = data?.owner && "login" in data.owner ? data.owner.login : undefined;
        if (!login) throw new Error("GET /app named no owner");
        return login;
      })
      .catch((error: unknown) => {
        this.appOwner = undefined;
        throw error;
      });
    return this.appOwner;
  }
}
