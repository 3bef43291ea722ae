// The install-instructions document a trigger prints in installer mode (spec §3.4): an ordered list whose elements
// hold exactly one key, `message` {text} or `query` {text, config_key}. The CLI prints messages and asks queries,
// storing each answer under config_key.

export type Instruction = { message: { text: string } } | { query: { text: string; config_key: string } };

export interface Instructions {
  instructions: Instruction[];
}

export class InstructionsBuilder {
  private readonly list: Instruction[] = [];

  message(text: string): this {
    this.list.push({ message: { text } });
    return this;
  }

  query(text: string, configKey: string): this {
    this.list.push({ query: { text, config_key: configKey } });
    return this;
  }

  build(): Instructions {
    return { instructions: [...this.list] };
  }
}

export function instructions(): InstructionsBuilder {
  return new InstructionsBuilder();
}

/** One line of JSON, escaped as Go's encoder does (<, >, & as \u003c, \u003e, \u0026), so output matches the originals. */
export function formatInstructions(value: Instructions): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}

/** Parses and validates an instructions document, naming what is wrong. */
export function parseInstructions(text: string): Instructions {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `install instructions are not JSON: ${(error as Error).message}: ${JSON.stringify(text.slice(0, 200))}`,
    );
  }
  const list = (value as { instructions?: unknown })?.instructions;
  if (!Array.isArray(list)) throw new Error('install instructions must be an object with an "instructions" array');
  list.forEach((item: unknown, index) => {
    const keys = item && typeof item === "object" ? Object.keys(item) : [];
    const where = `instructions[${index}]`;
    if (keys.length !== 1)
      throw new Error(`${where} must have exactly one key, "message" or "query"; has ${JSON.stringify(keys)}`);
    const body = (item as Record<string, { text?: unknown; config_key?: unknown }>)[keys[0] as string];
    if (keys[0] === "message") {
      if (typeof body?.text !== "string") throw new Error(`${where}.message.text must be a string`);
    } else if (keys[0] === "query") {
      if (typeof body?.text !== "string") throw new Error(`${where}.query.text must be a string`);
      if (typeof body?.config_key !== "string" || body.config_key === "") {
        throw new Error(`${where}.query.config_key must be a non-empty string`);
      }
    } else {
      throw new Error(`${where} has unknown key "${keys[0]}"; expected "message" or "query"`);
    }
  });
  return value as Instructions;
}
