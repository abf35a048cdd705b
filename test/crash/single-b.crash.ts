// Crash matrix, single-node `kina create`: every other crash point (shard 2 of 2, so two workers share it).
import { defineMatrix, SINGLE } from "./matrix.js";

await defineMatrix(SINGLE, { shard: { index: 1, count: 2 } });
