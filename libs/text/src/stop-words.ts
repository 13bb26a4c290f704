/**
 * Words that say nothing about what a text is about: English function words, question words, contractions
 * as the tokenizer leaves them ("don't" → "dont"), and the framing words of a request ("a guide to …",
 * "an introduction to …"), which name the kind of article wanted rather than its subject.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'about', 'above', 'after', 'again', 'against', 'all', 'also', 'am', 'an', 'and', 'any', 'are', 'as', 'at',
  'be', 'because', 'been', 'before', 'being', 'below', 'between', 'both', 'but', 'by', 'can', 'could', 'did',
  'do', 'does', 'doing', 'down', 'during', 'each', 'either', 'few', 'for', 'from', 'further', 'had', 'has',
  'have', 'having', 'he', 'her', 'here', 'hers', 'herself', 'him', 'himself', 'his', 'how', 'i', 'if', 'in',
  'into', 'is', 'it', 'its', 'itself', 'just', 'may', 'me', 'might', 'more', 'most', 'must', 'my', 'myself',
  'no', 'nor', 'not', 'now', 'of', 'off', 'on', 'once', 'only', 'or', 'other', 'our', 'ours', 'ourselves',
  'out', 'over', 'own', 'same', 'shall', 'she', 'should', 'so', 'some', 'such', 'than', 'that', 'the', 'their',
  'theirs', 'them', 'themselves', 'then', 'there', 'these', 'they', 'this', 'those', 'through', 'to', 'too',
  'under', 'until', 'up', 'upon', 'us', 'very', 'via', 'vs', 'was', 'we', 'were', 'what', 'whats', 'when',
  'where', 'whether', 'which', 'while', 'who', 'whom', 'whose', 'why', 'will', 'with', 'within', 'without',
  'would', 'you', 'your', 'yours', 'yourself',
  'cant', 'couldnt', 'didnt', 'doesnt', 'dont', 'hadnt', 'hasnt', 'havent', 'im', 'isnt', 'ive', 'shouldnt',
  'theyre', 'wasnt', 'werent', 'wont', 'wouldnt', 'youre',
  'guide', 'introduction', 'intro', 'overview', 'primer', 'basics', 'explained', 'beginner', 'beginners', 'everything',
]);
