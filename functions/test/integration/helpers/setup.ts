import { deleteApp, getApps } from "firebase-admin/app";

jest.setTimeout(180_000);

afterAll(async () => {
  await Promise.all(getApps().map((app) => deleteApp(app)));
});
