// Calls the code generated for plan-template's web source through a fake transport and
// prints what reached the transport and what the checks reported, as JSON.
import * as tracking from "./tracking";

const calls: unknown[] = [];
const violations: tracking.Violation[] = [];
const transport: tracking.Transport = {
  track(name, properties, context) {
    calls.push({ kind: "track", name, properties, context });
  },
  identify(userId, traits, context) {
    calls.push({ kind: "identify", userId, traits, context });
  },
  group(groupId, traits, context) {
    calls.push({ kind: "group", groupId, traits, context });
  },
};
// Untyped callers (plain JavaScript) are what the runtime checks are for.
const untyped = (call: Function) => (properties: unknown) => call(properties);

tracking.setup({ transport, destination: "Segment", onViolation: (violation) => violations.push(violation) });
tracking.checkoutCompleted({ order_id: "ord_0123456789", revenue: 42.5, currency: "EUR", payment_method: "card" });
tracking.signedUp({ signup_method: "email", plan: "pro" }, { extra: { anonymousId: "anon-1" } });
tracking.identify("user-1", { email: "ada@example.com", plan: "team" });
untyped(tracking.checkoutCompleted)({ order_id: "ord_1", revenue: -1, currency: "eur", payment_method: "cash", tip: 2 });
untyped(tracking.searchPerformed)({ query: 3, result_count: 1.5, filters: ["price", "colour"] });

tracking.setup({ transport });
tracking.searchPerformed({ query: "shoes", result_count: 0, filters: ["brand"] });
let thrown = "";
try {
  untyped(tracking.productViewed)({ product_id: "prd_1", currency: "EUR" });
} catch (error) {
  thrown = String(error);
}

tracking.setup({ transport, validate: false });
untyped(tracking.productViewed)({ product_id: 7 });

console.log(JSON.stringify({ calls, violations, thrown }, null, 2));
