// A vitest reporter for CI's summary: the errors that vitest's JSON report leaves out, written to
// the file named by MVX_CI_ERRORS_FILE as JSON. Those are a file that fails to load, a failing
// beforeAll/afterAll (its file fails with no failed test) and errors outside every test (an
// unhandled rejection, a crashed worker). .ci/summary.mjs prints them beside the failed tests.
import fs from 'node:fs';

const message = (error) =>
  [
    error?.name && !String(error?.message ?? '').startsWith(error.name) ? `${error.name}: ` : '',
    error?.message ?? String(error),
  ].join('');

export default class ErrorsReporter {
  onTestRunEnd(testModules, unhandledErrors) {
    const file = process.env.MVX_CI_ERRORS_FILE;
    if (!file) return;
    const modules = [];
    for (const testModule of testModules) {
      const errors = testModule
        .errors()
        .map((error) => ({ where: '(file)', message: message(error) }));
      for (const suite of testModule.children.allSuites()) {
        for (const error of suite.errors())
          errors.push({ where: suite.fullName, message: message(error) });
      }
      if (errors.length > 0) modules.push({ file: testModule.moduleId, errors });
    }
    const unhandled = unhandledErrors.map((error) => message(error));
    fs.writeFileSync(file, JSON.stringify({ modules, unhandled }, null, 2));
  }
}
