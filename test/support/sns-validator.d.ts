/** AWS's `sns-validator` ships no types; the part the SNS proof uses. */
declare module 'sns-validator' {
  export default class MessageValidator {
    constructor(hostPattern?: RegExp, encoding?: string);
    validate(message: string | object, callback: (error: Error | null, message?: object) => void): void;
  }
}
