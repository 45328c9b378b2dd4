import { bearerToken } from "../../src/http/github-user.js";

describe("bearerToken", () => {
  test.each([
    ["Bearer gho_16C7e42F292c6912E7710c838347Ae178B4a", "gho_16C7e42F292c6912E7710c838347Ae178B4a"],
    ["bearer ghu_abc", "ghu_abc"],
    ["BEARER  ghu_abc", "ghu_abc"],
    [" Bearer ghu_abc ", "ghu_abc"],
    ["Bearer abc+/=", "abc+/="],
    [undefined, undefined],
    ["", undefined],
    ["Bearer", undefined],
    ["Bearer ", undefined],
    ["Bearer a b", undefined],
    ["Basic dXNlcjpwYXNz", undefined],
    ["token ghu_abc", undefined],
    ['Bearer ghu_ab"c', undefined],
    ["Bearer a=b", undefined],
  ])("%j → %j", (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});
