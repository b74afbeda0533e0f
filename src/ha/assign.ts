// Who leads: the group member assigned the history topic's one partition. The group's own leader computes the
// assignment from what each member said when it joined, and keeps the partition where it is, so that a replica
// joining or leaving the group does not move the lead (every move is a takeover: a fence and a read of the log).

export interface MemberSubscription {
  /** What the member sent with its JoinGroup (memberMetadata below). */
  metadata?: Buffer | string | null | undefined;
}

export interface MemberAssignment {
  memberId: string;
  assignments: Map<string, { topic: string; partitions: number[] }>;
}

/** A member's JoinGroup user data: whether it leads now. */
export function memberMetadata(leading: boolean): Buffer {
  return Buffer.from(JSON.stringify({ leading }));
}

function saysItLeads(metadata: MemberSubscription['metadata']): boolean {
  if (metadata === undefined || metadata === null) return false;
  try {
    const parsed: unknown = JSON.parse(typeof metadata === 'string' ? metadata : metadata.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && (parsed as { leading?: unknown }).leading === true;
  } catch {
    return false;
  }
}

/**
 * Partition 0 of `topic` to the member that leads now, or, when none does (or, after a split, several say so), to the
 * first of them by member id; nothing to the others.
 */
export function assignLeader(members: ReadonlyMap<string, MemberSubscription>, topic: string): MemberAssignment[] {
  const ids = [...members.keys()].sort();
  const holder = ids.find((id) => saysItLeads(members.get(id)?.metadata)) ?? ids[0];
  return ids.map((memberId) => ({
    memberId,
    assignments: memberId === holder ? new Map([[topic, { topic, partitions: [0] }]]) : new Map(),
  }));
}
