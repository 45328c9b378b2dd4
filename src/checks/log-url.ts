/** A build's log page (SPEC 7): the check run's Details link, and the log link of its deployment. */
export function buildLogUrl(publicUrl: string, deploymentId: string): string {
  return `${publicUrl}/builds/${deploymentId}`;
}
