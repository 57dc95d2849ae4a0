// Calls the code generated for the hostile plan (all events) through a fake transport.
import * as tracking from "./tracking";

const calls: unknown[] = [];
const violations: tracking.Violation[] = [];
const transport: tracking.Transport = {
  track(name, properties) {
    calls.push({ name, properties });
  },
  identify(userId, traits) {
    calls.push({ userId, traits });
  },
  group(groupId, traits) {
    calls.push({ groupId, traits });
  },
};
const untyped = (call: Function) => (properties: unknown) => call(properties);

tracking.setup({ transport, destination: "Segment", onViolation: (violation) => violations.push(violation) });
tracking._42TerribleEventName3_2({ "order-id": "ord/12\\d", class: "first \"class\"", "2fa": true, "with space": null });
tracking.achatEffectué購入完了({ "prénom": "Zoë" });
tracking.class_({ return: "r", import: "i", "": "empty" });
tracking.setup_2();
tracking.event();
tracking.orderShipped({
  address: { city: "Lyon", zip: null, geo: { lat: 45.76, lon: 4.84 } },
  items: [{ sku: "sku_1", quantity: 2, tags: ["gift"] }],
  kind: "shipment",
  total: { amount: 10, currency: "EUR" },
  shipped: null,
  matrix: [[1, 2], [3]],
  carrier: null,
  id: 7,
});
untyped(tracking.orderShipped)({
  address: { zip: "1234", geo: { lat: 91 }, floor: 3 },
  items: [{ sku: "nope", quantity: 0 }, "x"],
  kind: "parcel",
  total: { amount: -1, currency: "EUR", tax: 1 },
  shipped: 5,
  matrix: [[1.5]],
  priority: 4,
  weight_kg: 3,
});
untyped(tracking._42TerribleEventName3_2)({ "order-id": "ord/1", class: "second", "$price": 0, "ünïcödé": 1.5, "2fa": false });
untyped(tracking.achatEffectué購入完了)({ "prénom": "" });
tracking.identify("u1", { plan: "pro", user_id: "u1", "e-mail": null });
tracking.group("g1", { name: "Acme", seats: 3 });

console.log(JSON.stringify({ calls, violations }, null, 2));
