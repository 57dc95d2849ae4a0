import * as tracking from "./tracking";
declare const analytics: { track(event: string, properties?: object): void };

export function placeOrder(orderId: string): void {
  tracking.checkoutCompleted({ order_id: orderId, revenue: 10, currency: "EUR", payment_method: "card" });
}

export function cancel(): void {
  analytics.track("Subscription Cancelled", { plan: "pro", reason: "other" }); // not sent from web
}
