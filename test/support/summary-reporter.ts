import type { Reporter, TestModule } from "vitest/node";

/**
 * Ends the run with one plain line, "N passed, N failed, N skipped", that CI
 * systems read without knowing vitest's own summary format.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown> = []) {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") counts.passed++;
        else if (state === "failed") counts.failed++;
        else counts.skipped++;
      }
      // A file that fails to load has no tests but must still fail the count.
      if (module.state() === "failed" && module.children.size === 0) counts.failed++;
    }
    // An error thrown outside any test (an unhandled rejection, a crash in a callback) fails the run.
    const errors = unhandledErrors.length > 0 ? `, ${unhandledErrors.length} unhandled error(s)` : "";
    console.log(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${errors}`);
  }
}
