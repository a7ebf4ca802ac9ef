/**
 * Registers a custom element unless that name is already taken, so that two copies of the CDN
 * script (or the script plus an npm build) on one page do not throw.
 */
export function define(name: string, constructor: CustomElementConstructor): void {
  if (!customElements.get(name)) customElements.define(name, constructor);
}
