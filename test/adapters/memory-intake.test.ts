import { MemoryIntakeStore } from "../../src/adapters/memory/intake.js";
import { intakeContract } from "./intake-contract.js";

describe("MemoryIntakeStore", () => {
  intakeContract(async () => new MemoryIntakeStore());
});
