import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { curlCommand } from "../src/features/deliveries/curl";

describe("copy as curl", () => {
  it("quotes for the shell, keeps the body exact and fills in hidden custom values it is given", () => {
    const body = `{"name":"O'Brien","note":"$HOME \\\\ \`x\`"}`;
    const cmd = curlCommand("https://h.example/in?a=1&b=2", { "webhook-id": "evt_1", "X-Key": "(hidden)", "X-Other": "(hidden)" }, body, {
      "x-key": "k'1",
    });
    expect(cmd).toContain(`-H 'X-Key: k'\\''1'`);
    expect(cmd).toContain(`-H 'X-Other: (hidden)'`);
    // What the shell makes of it: the exact body and header values as arguments.
    const args = JSON.parse(
      execFileSync(
        "sh",
        [
          "-c",
          `printargs() { node -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- "$@"; }; ${cmd.replace(/^curl/, "printargs")}`,
        ],
        { encoding: "utf8" },
      ),
    ) as string[];
    expect(args).toEqual([
      "-sS",
      "-X",
      "POST",
      "https://h.example/in?a=1&b=2",
      "-H",
      "webhook-id: evt_1",
      "-H",
      "X-Key: k'1",
      "-H",
      "X-Other: (hidden)",
      "--data-binary",
      body,
    ]);
  });
});
