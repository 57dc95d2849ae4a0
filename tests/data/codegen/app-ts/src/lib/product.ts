// productViewed is only mentioned here, and defined for a test double below.
export function productViewed(): void {}
