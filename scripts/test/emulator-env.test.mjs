import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SetupError, findJava, parseJavaMajor } from "../lib/emulator-env.mjs";

/** A fake `java` that prints the version text of the given major version, as `java -version` does. */
function fakeJava(major, parent = mkdtempSync(join(tmpdir(), "jvms-"))) {
  const dir = join(parent, `jdk-${major}`);
  mkdirSync(join(dir, "bin"), { recursive: true });
  const bin = join(dir, "bin", "java");
  writeFileSync(bin, `#!/bin/sh\necho 'openjdk version "${major}.0.1" 2025-01-01' >&2\n`);
  chmodSync(bin, 0o755);
  return dir;
}

test("parses java -version output of old and new Javas", () => {
  assert.equal(parseJavaMajor('openjdk version "17.0.15" 2025-04-15'), 17);
  assert.equal(parseJavaMajor('java version "1.8.0_402"'), 8);
  assert.equal(parseJavaMajor('openjdk version "25" 2025-09-16'), 25);
  assert.equal(parseJavaMajor("nonsense"), undefined);
});

test("skips a Java 17 first on PATH for a Java 21+ further on", () => {
  const old = fakeJava(17);
  const good = fakeJava(21);
  const java = findJava({ PATH: `${join(old, "bin")}:${join(good, "bin")}` }, []);
  assert.equal(java.major, 21);
});

test("finds a Java 21+ in a JVM folder when PATH has only Java 17", () => {
  const old = fakeJava(17);
  const jvmFolder = mkdtempSync(join(tmpdir(), "jvms-"));
  fakeJava(11, jvmFolder);
  fakeJava(25, jvmFolder);
  const java = findJava({ PATH: join(old, "bin") }, [jvmFolder]);
  assert.equal(java.major, 25);
});

test("with no Java 21+ anywhere, stops with a message that says what it found", () => {
  const old = fakeJava(17);
  assert.throws(() => findJava({ PATH: join(old, "bin") }, []), (err) => {
    assert.ok(err instanceof SetupError);
    assert.match(err.message, /No Java 21 or newer found/);
    assert.match(err.message, /: 17/);
    return true;
  });
});
