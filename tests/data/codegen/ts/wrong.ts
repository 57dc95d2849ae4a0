// Calls that break the plan's types: each line below is a compile error.
import * as tracking from "./tracking";

tracking.checkoutCompleted({ order_id: "ord_0123456789", revenue: "42", currency: "EUR", payment_method: "card" });
tracking.checkoutCompleted({ order_id: "ord_0123456789", revenue: 42, currency: "EUR", payment_method: "bitcoin" });
tracking.signedUp({ signup_method: "email" });
tracking.productViewed({ product_id: "prd_1", price: 1, currency: "EUR", colour: "red" });
tracking.identify("user-1", { plan: "pro" });
