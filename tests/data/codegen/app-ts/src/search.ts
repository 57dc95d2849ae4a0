declare const analytics: { track(event: string, properties?: object): void };

export function search(query: string): void {
  analytics.track('Search Performed', { query, result_count: 0 });
  analytics.track("Search Abandoned");
  analytics.track(`Search ${query}`); // a name built at run time is not counted
}
