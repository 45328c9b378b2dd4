import nock from "nock";

/**
 * GitHub through nock for the tests of a file: no request leaves the machine, and every reply a
 * test arranged must have been asked for by the end of that test.
 */
export function useStrictNock(): void {
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => nock.enableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });
}
