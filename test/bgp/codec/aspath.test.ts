// AS path arithmetic of RFC 4271 §9.1.2.2 and the AS_PATH / AS4_PATH merge of RFC 6793 §4.2.3.
import { strict as assert } from 'node:assert';
import { AS_TRANS, AsPathSegmentType, asPathLength, mergeAs4Path, needsAs4Path, type AsPathSegment } from '../../../bgp/index.js';

const SEQ = AsPathSegmentType.AsSequence;
const SET = AsPathSegmentType.AsSet;
const CONFED_SEQ = AsPathSegmentType.AsConfedSequence;
const CONFED_SET = AsPathSegmentType.AsConfedSet;
const seg = (type: number, ...asns: number[]): AsPathSegment => ({ type, asns });

describe('asPathLength (RFC 4271 §9.1.2.2)', () => {
  it('counts each AS of a sequence, a set as one, and confederation segments as none', () => {
    assert.equal(asPathLength([]), 0);
    assert.equal(asPathLength([seg(SEQ, 1, 2, 3)]), 3);
    assert.equal(asPathLength([seg(SEQ, 1, 2), seg(SET, 3, 4, 5)]), 3);
    assert.equal(asPathLength([seg(CONFED_SEQ, 64512, 64513), seg(CONFED_SET, 64514), seg(SEQ, 1)]), 1);
  });
});

describe('needsAs4Path (RFC 6793 §4.2.2)', () => {
  it('is true only when some AS does not fit in two octets', () => {
    assert.equal(needsAs4Path([seg(SEQ, 65001, 65535)]), false);
    assert.equal(needsAs4Path([seg(SEQ, 65001), seg(SET, 4200000001)]), true);
    assert.equal(needsAs4Path([]), false);
  });
});

describe('mergeAs4Path (RFC 6793 §4.2.3)', () => {
  it('returns AS_PATH when there is no AS4_PATH', () => {
    const path = [seg(SEQ, 65001, 65002)];
    assert.deepStrictEqual(mergeAs4Path(path, undefined), path);
  });

  it('replaces AS_TRANS by the true ASNs when both paths have the same length', () => {
    assert.deepStrictEqual(mergeAs4Path([seg(SEQ, AS_TRANS, 65002)], [seg(SEQ, 4200000001, 65002)]), [seg(SEQ, 4200000001, 65002)]);
  });

  it('prepends the leading ASNs that AS4_PATH lacks (added by OLD speakers) as one sequence', () => {
    const asPath = [seg(SEQ, 65010, 65011, AS_TRANS, 65002)];
    const as4Path = [seg(SEQ, 4200000001, 65002)];
    assert.deepStrictEqual(mergeAs4Path(asPath, as4Path), [seg(SEQ, 65010, 65011, 4200000001, 65002)]);
  });

  it('takes a leading AS_SET as a single AS', () => {
    const asPath = [seg(SET, 65010, 65011), seg(SEQ, AS_TRANS)];
    const as4Path = [seg(SEQ, 4200000001)];
    assert.deepStrictEqual(mergeAs4Path(asPath, as4Path), [seg(SET, 65010, 65011), seg(SEQ, 4200000001)]);
  });

  it('ignores an AS4_PATH longer than AS_PATH', () => {
    const asPath = [seg(SEQ, AS_TRANS)];
    assert.deepStrictEqual(mergeAs4Path(asPath, [seg(SEQ, 4200000001, 4200000002)]), asPath);
  });

  it('does not change its inputs', () => {
    const asPath = [seg(SEQ, 65010, AS_TRANS)];
    const as4Path = [seg(SEQ, 4200000001)];
    mergeAs4Path(asPath, as4Path);
    assert.deepStrictEqual(asPath, [seg(SEQ, 65010, AS_TRANS)]);
    assert.deepStrictEqual(as4Path, [seg(SEQ, 4200000001)]);
  });
});
