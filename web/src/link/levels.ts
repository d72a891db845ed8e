/** Guided levels: a question, the experiment that answers it, and the counter to read. Each ends in the sandbox. */
export interface Level {
  readonly title: string;
  readonly question: string;
  readonly experiment: string;
  /** The link lab hash the level starts from. */
  readonly hash: string;
  readonly counter: string;
}

export const LEVELS: readonly Level[] = [
  {
    title: '1. What does an eavesdropper still see?',
    question: 'A tap copies every frame off the fibre. What does it learn?',
    experiment: 'Run the eavesdropper scenario and read the tap panel; then switch confidentiality off (integrity-only) and run again.',
    hash: 'scenario=eavesdropper&step=end',
    counter: 'InOctetsDecrypted (b): every octet was encrypted on the wire',
  },
  {
    title: '2. Is a replayed frame caught?',
    question: 'An attacker records frames and sends copies later. Which counter catches them?',
    experiment: 'Run replay; step to a red arrival and watch the replay strip: the copy\'s PN is below lowestPN.',
    hash: 'scenario=replay&step=end',
    counter: 'InPktsLate (b)',
  },
  {
    title: '3. Why does reordering by 4 need replayWindow ≥ 4?',
    question: 'A provider network reorders some frames by up to 4 places. With replayWindow 0, what happens to them?',
    experiment: 'Run reorder, then set replayWindow to 2, 4 and 8 (SecY controls) and run again each time.',
    hash: 'scenario=reorder&step=end',
    counter: 'InPktsLate (b) falls to 0 once the window covers the reordering',
  },
  {
    title: '4. Is a frame lost when the key rolls over?',
    question: 'The PN runs out after 2^32 frames. What happens at the threshold?',
    experiment: 'Run rollover and follow the key events: receive SA first, transmitter switch, old SA retired after the drain time.',
    hash: 'scenario=rollover&step=end',
    counter: 'InPktsOK (b) equals the frames a sent',
  },
  {
    title: '5. How do two ports agree a key?',
    question: 'Two ports share a CAK. Who becomes key server and when is traffic protected?',
    experiment: 'Run mka-handshake and read the MKPDU sequence; then try mka-wrong-cak.',
    hash: 'scenario=mka-handshake&step=end',
    counter: 'kay-a-sak and kay-b-sak name the same KN and AN',
  },
];
