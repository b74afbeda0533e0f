// Who leads: the member assigned the history topic's one partition, kept where it is across rebalances.

import { describe, expect, it } from 'vitest';
import { assignLeader, memberMetadata } from '../../src/ha/assign.ts';

const holderOf = (assignment: ReturnType<typeof assignLeader>) =>
  assignment.filter((member) => member.assignments.get('history')?.partitions.includes(0)).map((member) => member.memberId);

describe('assignLeader', () => {
  it('gives the partition to the member that held it, not to the first by id', () => {
    const members = new Map([
      ['a-1', { metadata: memberMetadata(false) }],
      ['b-2', { metadata: memberMetadata(true) }],
      ['c-3', { metadata: memberMetadata(false) }],
    ]);
    const assignment = assignLeader(members, 'history');
    expect(holderOf(assignment)).toEqual(['b-2']);
    // Every member gets an answer, the others an empty one.
    expect(assignment.map((member) => member.memberId)).toEqual(['a-1', 'b-2', 'c-3']);
    expect(assignment.find((member) => member.memberId === 'a-1')?.assignments.size).toBe(0);
  });

  it('falls back to the first member by id when none held it, or its metadata is unreadable', () => {
    expect(holderOf(assignLeader(new Map([['z', { metadata: memberMetadata(false) }], ['m', {}]]), 'history'))).toEqual(['m']);
    expect(holderOf(assignLeader(new Map([['z', { metadata: Buffer.from('{not json') }], ['m', { metadata: null }]]), 'history'))).toEqual(['m']);
  });

  it('gives it to exactly one member when two say they held it (after a split)', () => {
    const members = new Map([
      ['b', { metadata: memberMetadata(true) }],
      ['a', { metadata: memberMetadata(true) }],
    ]);
    expect(holderOf(assignLeader(members, 'history'))).toEqual(['a']);
  });
});
