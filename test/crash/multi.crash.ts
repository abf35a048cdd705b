// Crash matrix, 1+1 `kina create` (one control plane, one worker): a deterministic sample, every fifth point of
// the recorded run (an odd stride, so before and after alternate), to keep CI's
// crash suite short; KINA_CRASH_FULL=1 runs every point.
import { defineMatrix, MULTI } from "./matrix.js";

await defineMatrix(MULTI, { every: 5 });
