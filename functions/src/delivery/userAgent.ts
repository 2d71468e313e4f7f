// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require("../../package.json") as { version?: string };

export const USER_AGENT = `Jiwaku-Webhooks/${version ?? "0.0.0"}`;
