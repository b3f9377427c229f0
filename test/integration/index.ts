/** Mocha inside VS Code's extension host (loaded through the smoke-test driver's payload). */
import * as path from 'path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 30000 });
  mocha.addFile(path.resolve(__dirname, 'extension.test.js'));
  mocha.addFile(path.resolve(__dirname, 'database.test.js'));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      // one machine-readable line for the harness, which counts tests from it
      console.log(`ALEMBIC_TEST_RESULT ${JSON.stringify({ passes: runner.stats?.passes ?? 0, failures: runner.stats?.failures ?? failures, pending: runner.stats?.pending ?? 0 })}`);
      if (failures) reject(new Error(`${failures} tests failed`));
      else resolve();
    });
  });
}
