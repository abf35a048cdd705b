// Crash matrix, 1+1 `kina create` (one control plane, one worker): every other crash point (shard 1 of 2, so
// two workers share it); with multi-b.crash.ts, every point.
import { defineMatrix, MULTI } from "./matrix.js";

await defineMatrix(MULTI, { shard: { index: 0, count: 2 } });
