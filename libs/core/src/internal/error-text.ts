/** What to say of a caught value: an Error's message, else the value as text. */
export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
