/** A cron expression that cannot be parsed. The message names the field and the value, and quotes the expression. */
export class CronExpressionError extends Error {
  override name = "CronExpressionError";

  constructor(
    message: string,
    readonly expression: string,
  ) {
    super(message);
  }
}
