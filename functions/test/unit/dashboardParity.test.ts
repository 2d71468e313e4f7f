import { ERROR_CLASSES, STATUSES } from "../../../dashboard/src/api/filters";
import { deliveryStatusSchema, errorClassSchema } from "../../src/delivery/schema";

// The dashboard is built on its own and cannot import the backend: its filter lists are copies.
describe("the dashboard's copies of the API's enums", () => {
  it("offers every error class and delivery status the API filters by, and no other", () => {
    expect([...ERROR_CLASSES].sort()).toEqual([...errorClassSchema.options].sort());
    expect([...STATUSES].sort()).toEqual([...deliveryStatusSchema.options].sort());
  });
});
