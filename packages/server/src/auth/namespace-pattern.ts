// A token's namespaces are namespace ids or regular expressions over them: ".*" is every namespace, "team-.*" the
// team ones (spec §1.3; the original's CreateToken documents "simple regexs").
//
// Deliberate fixes over the original's hasNamespaceAccess:
// - a pattern must match the whole id. The original matched anywhere in it, so a token for "team" could reach
//   "myteam-prod";
// - every pattern is tried. The original returned after the first pattern that compiled, so ["default", "team"]
//   never reached "team".
// Patterns are JavaScript regular expressions, not RE2: the ones tokens use (ids, ".*", alternations, classes) read
// the same in both. Only management tokens can create patterns, and ids are at most 70 characters.

import { isValidId } from "@gofer/pipeline-sdk/check";
import { errorMessage, InvalidArgumentError } from "../errors.js";

/** Whether an entry is a plain namespace id rather than a pattern (it then matches exactly itself). */
export function isNamespaceId(entry: string): boolean {
  return isValidId(entry);
}

/** @throws SyntaxError when the pattern is not a valid regular expression. */
export function compileNamespacePattern(pattern: string): RegExp {
  // Compiling it bare first proves its groups balance, so the wrapper cannot be closed from inside ("a)|(b").
  new RegExp(pattern);
  return new RegExp(`^(?:${pattern})$`);
}

/** @throws InvalidArgumentError naming the first entry that is empty or does not compile. */
export function validateNamespacePatterns(patterns: readonly string[]): void {
  patterns.forEach((pattern, index) => {
    if (pattern === "") throw new InvalidArgumentError(`namespaces[${index}]: must not be empty`);
    try {
      compileNamespacePattern(pattern);
    } catch (error) {
      throw new InvalidArgumentError(
        `namespaces[${index}] ${JSON.stringify(pattern)} is not a valid regular expression: ${errorMessage(error)}`,
      );
    }
  });
}

/** Whether any of the patterns matches the whole namespace id. */
export function matchesNamespace(patterns: readonly string[], namespaceId: string): boolean {
  return patterns.some((pattern) => {
    try {
      return compileNamespacePattern(pattern).test(namespaceId);
    } catch {
      // Only rows written around validateNamespacePatterns get here; such an entry can still name one namespace.
      return pattern === namespaceId;
    }
  });
}
