import { signedUp } from "./tracking";
declare const analytics: { track(event: string, properties?: object): void };

export function onSignUp(): void {
  signedUp({ signup_method: "email", plan: "free" });
}

export function legacySignUp(): void {
  analytics.track("sign_up", { method: "email" }); // Segment's name for Signed Up
}
