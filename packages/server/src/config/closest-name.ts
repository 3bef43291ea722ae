// One rule for "did you mean …?" across Gofer, the kernel's.
export { closestName } from "@gofer/kernel/closest-name";
