// The one text toolkit of research and writing: the same words, stems and sentences on both sides, so a
// source judged relevant to a topic is also one the writer can find the topic in.
export { stem } from './stem.ts';
export { STOP_WORDS } from './stop-words.ts';
export { words, tokenize, termSet } from './tokenize.ts';
export { parseTopic, profileText, coverage, isAbout, type Topic, type TextProfile, type Sentence } from './relevance.ts';
export { splitSentences } from './sentences.ts';
export { clip } from './clip.ts';
