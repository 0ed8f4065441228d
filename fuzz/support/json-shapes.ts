// Builds a JSON value of any shape from the fuzzer's bytes. Keys come mostly from a list of
// the names the code under test reads, values often from a list of meaningful strings, so that
// a byte-mutating engine reaches deep fields; any other key or value can still appear.
import type { FuzzInput } from './input.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const MAX_DEPTH = 6;
const MAX_ITEMS = 6;
const MAX_STRING_BYTES = 48;
/** Numbers that tend to break things: edges of integer types, fractions, negatives. */
const NUMBERS = [0, 1, -1, 2, 3, 15, 30, 179, 65535, 65536, 4294967295, 4294967296, 2 ** 53, -(2 ** 31), 0.5, 1e308, -0];

export interface JsonVocabulary {
  keys: readonly string[];
  strings: readonly string[];
}

export function jsonValue(input: FuzzInput, words: JsonVocabulary, depth = 0): Json {
  // Deeper down, objects and arrays become rarer, so that every input ends.
  const kinds = depth >= MAX_DEPTH ? 4 : 6;
  switch (input.int(kinds - 1)) {
    case 0:
      return input.boolean() ? null : input.boolean();
    case 1:
      return input.boolean() ? input.pick(NUMBERS) : input.int(0xffffffff) - (input.boolean() ? 0x80000000 : 0);
    case 2:
    case 3:
      return input.boolean() ? input.pick(words.strings) : input.string(MAX_STRING_BYTES);
    case 4: {
      const out: Json[] = [];
      for (let i = input.int(MAX_ITEMS); i > 0 && input.remaining > 0; i--) out.push(jsonValue(input, words, depth + 1));
      return out;
    }
    default: {
      const out: { [key: string]: Json } = {};
      for (let i = input.int(MAX_ITEMS); i > 0 && input.remaining > 0; i--) {
        const key = input.int(7) === 0 ? input.string(MAX_STRING_BYTES) : input.pick(words.keys);
        out[key] = jsonValue(input, words, depth + 1);
      }
      return out;
    }
  }
}
