// Runs the test files in name order, with the burst tests last: they are the heaviest on the
// emulators, and the Functions emulator's worker processes are warm by then.
const Sequencer = require("@jest/test-sequencer").default;

class BurstsLast extends Sequencer {
  sort(tests) {
    const key = (t) => (t.path.includes("burst") ? "~" : "") + t.path;
    return [...tests].sort((a, b) => key(a).localeCompare(key(b)));
  }
}

module.exports = BurstsLast;
