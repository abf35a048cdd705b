// Crash matrix, `kina start` after `kina stop`: every other crash point (shard 2 of 2).
import { defineMatrix, START } from "./matrix.js";

await defineMatrix(START, { shard: { index: 1, count: 2 } });
