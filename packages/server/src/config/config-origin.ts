/** Where a configuration value came from; every message about a value names it. */
export type ConfigOrigin =
  | { readonly kind: "defaults" }
  | { readonly kind: "dev-mode defaults" }
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "env"; readonly name: string }
  | { readonly kind: "flag"; readonly name: string };

export function describeOrigin(origin: ConfigOrigin): string {
  switch (origin.kind) {
    case "defaults":
    case "dev-mode defaults":
      return origin.kind;
    case "file":
      return `file ${origin.path}`;
    case "env":
      return `env ${origin.name}`;
    case "flag":
      return `flag --${origin.name}`;
    default:
      return origin satisfies never;
  }
}
