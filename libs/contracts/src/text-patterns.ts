// Patterns for free-text fields, each with the message a client reads when a value does not match (ajv's own
// "must match pattern ..." would show the regex). ajv tests a pattern anywhere in the value (unanchored).

/** Some character that is not white space. */
export const NOT_BLANK = '\\S';
/** At least 3 characters from the first to the last one that is not white space: 3 or more once trimmed. */
export const THREE_WHEN_TRIMMED = '\\S[\\s\\S]+\\S';

export const PATTERN_MESSAGES: Readonly<Record<string, string>> = {
  [NOT_BLANK]: 'must not be blank',
  [THREE_WHEN_TRIMMED]: 'must have at least 3 characters besides leading and trailing white space',
};
