// Crash matrix, 1+1 `kina create` (one control plane, one worker): every other crash point (shard 2 of 2, so
// two workers share it); with multi-a.crash.ts, every point.
import { defineMatrix, MULTI } from "./matrix.js";

await defineMatrix(MULTI, { shard: { index: 1, count: 2 } });
