export { parseSetFlags } from "./commands/service.js";
