// The JavaScript side of the cross-language composition: it implements
// the interface xlang:demo/format@0.1.0 (wit/demo.wit, world format-impl),
// built into a component by componentize-js. Values arrive as jco maps
// them: records as objects, variants as {tag, val}, enums as strings, char
// as a one-character string, s64 as BigInt; throwing from a function that
// returns a result gives its err case.

// width counts code points, as a terminal would for these texts.
function width(s) {
  return Array.from(s).length;
}

export const format = {
  pad(s, style) {
    const total = style.width - width(s);
    if (total <= 0) return s;
    let left = 0;
    switch (style.align) {
      case 'left': left = 0; break;
      case 'right': left = total; break;
      case 'center': left = Math.floor(total / 2); break;
      default: throw new Error(`unknown align ${style.align}`);
    }
    return style.fill.repeat(left) + s + style.fill.repeat(total - left);
  },

  describe(tokens) {
    return tokens.map((t) => {
      switch (t.tag) {
        case 'word': return `word "${t.val}"`;
        case 'number': return `number ${t.val}`;
        case 'punct': {
          const cp = t.val.codePointAt(0).toString(16).toUpperCase().padStart(4, '0');
          return `punct ${t.val} U+${cp}`;
        }
        default: throw new Error(`unknown token ${t.tag}`);
      }
    });
  },

  summary(stats) {
    if (stats.words === 0) {
      throw `no words in ${stats.bytes} bytes`;
    }
    return `${stats.words} words in ${stats.bytes} bytes, longest "${stats.longest}"`;
  },

  // The tally is lent by the caller; top is a call back into text.
  report(tally, n) {
    return tally.top(n).map(([w, c]) => `${w}=${c}`).join(', ');
  },
};
